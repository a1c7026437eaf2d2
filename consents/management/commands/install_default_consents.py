from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.actor import Actor
from consents.services import consent_documents_install_defaults


class Command(BaseCommand):
    help = (
        "Create version 1 of each consent form (KAP, KA-EMDR, release of information, "
        "telehealth) that has no version yet. The texts are samples to review with counsel."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = consent_documents_install_defaults(actor=Actor.system())
        self.stdout.write(
            f"Created {created} consent document(s); existing ones were left alone. "
            "The texts are samples: review them with the practice's counsel before use."
        )
