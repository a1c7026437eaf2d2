from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications.models import OutboundEmail
from pathways.testing import BaseTestCase


def outbox_row(to: str, **extra: Any) -> OutboundEmail:
    return OutboundEmail.objects.create(to=to, subject="Hello", body="Body", **extra)


class EmailRetryTestCase(BaseTestCase):
    def test_it_sends_the_pending_e_mails_that_are_due(self) -> None:
        now = timezone.now()
        never_tried = outbox_row("a@example.com")
        due = outbox_row("b@example.com", attempts=2, next_attempt_at=now - timedelta(minutes=1))
        outbox_row("c@example.com", attempts=1, next_attempt_at=now + timedelta(minutes=5))
        outbox_row("d@example.com", status=OutboundEmail.Status.SENT)
        outbox_row("e@example.com", status=OutboundEmail.Status.FAILED)
        out = io.StringIO()

        call_command("email_retry", stdout=out)

        assert "Queued 2 pending e-mail(s)." in out.getvalue()
        assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]
        for email in (never_tried, due):
            email.refresh_from_db()
            assert email.status == OutboundEmail.Status.SENT
        assert OutboundEmail.objects.get(to="c@example.com").status == "pending"

    def test_it_does_nothing_when_nothing_is_due(self) -> None:
        out = io.StringIO()

        call_command("email_retry", stdout=out)

        assert "Queued 0 pending e-mail(s)." in out.getvalue()
        assert mail.outbox == []
