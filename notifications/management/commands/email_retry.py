from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.tasks import email_send


class Command(BaseCommand):
    help = "Queue again every pending e-mail that is due (run from cron, e.g. every 10 minutes)."

    def handle(self, *args: Any, **options: Any) -> None:
        due = OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
        )
        count = 0
        for email_id in due.values_list("pk", flat=True):
            email_send.enqueue(email_id)
            count += 1
        self.stdout.write(f"Queued {count} pending e-mail(s).")
