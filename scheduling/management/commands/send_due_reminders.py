from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand

from accounts.actor import Actor
from scheduling.reminders import due_reminders, reminder_deliver


class Command(BaseCommand):
    help = (
        "Send every appointment reminder that is due (48 h and 24 h before) and not yet "
        "sent. Run from cron every 10 minutes: this is the path that always runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes: Counter[str] = Counter()
        actor = Actor.system()
        for appointment_id, kind in due_reminders():
            outcomes[reminder_deliver(actor=actor, appointment_id=appointment_id, kind=kind)] += 1
        summary = ", ".join(f"{n} {what}" for what, n in sorted(outcomes.items())) or "none due"
        self.stdout.write(f"Reminders: {summary}.")
