from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand

from accounts.actor import Actor
from measures.schedule import schedule_send_due


class Command(BaseCommand):
    help = (
        "Send the measure links that course schedules make due now (baseline, 24 h before "
        "dosing, integration sessions, monthly follow-up). Run from cron every 10–15 "
        "minutes; idempotent: an item already sent is never sent again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = schedule_send_due(actor=Actor.system())
        counts = Counter(item.reason for item in sent)
        # Counts only: no client, no instrument names.
        summary = ", ".join(f"{reason}: {n}" for reason, n in sorted(counts.items())) or "none"
        self.stdout.write(f"{len(sent)} measure link(s) sent ({summary}).")
