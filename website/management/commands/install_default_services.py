from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from website.services import services_install_defaults


class Command(BaseCommand):
    help = "Create the default service pages (KAP, KA-EMDR, EMDR, individual therapy) if missing."

    def handle(self, *args: Any, **options: Any) -> None:
        created = services_install_defaults()
        self.stdout.write(f"Created {created} service page(s); existing ones were left alone.")
