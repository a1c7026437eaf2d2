"""Escalate safety alerts nobody has acknowledged within SAFETY_ALERT_ESCALATE_HOURS.

Run from cron every 10-15 minutes, e.g.
    */10 * * * * cd /srv/pathways && .venv/bin/python manage.py escalate_safety_alerts
Each alert escalates once (every active practice admin is e-mailed a link);
running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.actor import Actor
from measures.alerts.safety import alert_escalate_due, escalation_hours


class Command(BaseCommand):
    help = "Escalate unacknowledged safety alerts older than SAFETY_ALERT_ESCALATE_HOURS."

    def handle(self, *args: Any, **options: Any) -> None:
        escalated = alert_escalate_due(actor=Actor.system())
        hours = escalation_hours()
        self.stdout.write(
            f"Escalated {len(escalated)} safety alert(s) unacknowledged after {hours} h."
        )
