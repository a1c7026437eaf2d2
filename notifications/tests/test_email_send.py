from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.tasks import email_send
from pathways.testing import BaseTestCase

FAILING_BACKEND = f"{__name__}.OutageBackend"


class OutageBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise OSError("mail.example refused jordan@example.com")


def outbox_row(**extra: Any) -> OutboundEmail:
    data: dict[str, Any] = {"to": "jordan@example.com", "subject": "Hello", "body": "Body text"}
    data.update(extra)
    return OutboundEmail.objects.create(**data)


class EmailSendTestCase(BaseTestCase):
    def test_it_sends_a_pending_e_mail(self) -> None:
        email = outbox_row()

        assert email_send.call(email.pk) == "sent"

        email.refresh_from_db()
        assert email.status == OutboundEmail.Status.SENT
        assert email.attempts == 1
        assert email.sent_at is not None
        assert email.last_error == ""
        [message] = mail.outbox
        assert (message.to, message.subject, message.body) == (
            ["jordan@example.com"],
            "Hello",
            "Body text",
        )

    def test_it_skips_what_is_not_pending(self) -> None:
        sent = outbox_row(status=OutboundEmail.Status.SENT, attempts=1)
        failed = outbox_row(status=OutboundEmail.Status.FAILED, attempts=8)

        for pk in (sent.pk, failed.pk, 987654):
            assert email_send.call(pk) == "skipped"

        assert mail.outbox == []
        sent.refresh_from_db()
        assert sent.attempts == 1

    @override_settings(EMAIL_BACKEND=FAILING_BACKEND, EMAIL_RETRY_SECONDS=60)
    def test_it_keeps_a_failed_e_mail_pending_with_back_off(self) -> None:
        email = outbox_row()

        before = timezone.now()
        assert email_send.call(email.pk) == "failed"
        email.refresh_from_db()
        assert email.status == OutboundEmail.Status.PENDING
        assert email.attempts == 1
        assert email.last_error == "OSError"
        assert email.next_attempt_at is not None
        assert before + timedelta(seconds=60) <= email.next_attempt_at
        assert email.next_attempt_at <= timezone.now() + timedelta(seconds=60)

        before = timezone.now()
        email_send.call(email.pk)
        email.refresh_from_db()
        assert email.attempts == 2
        assert email.next_attempt_at is not None
        assert before + timedelta(seconds=120) <= email.next_attempt_at

    @override_settings(EMAIL_BACKEND=FAILING_BACKEND, EMAIL_RETRY_SECONDS=3600)
    def test_it_caps_the_back_off_at_six_hours(self) -> None:
        email = outbox_row(attempts=5)

        email_send.call(email.pk)

        email.refresh_from_db()
        assert email.next_attempt_at is not None
        assert email.next_attempt_at <= timezone.now() + timedelta(hours=6)
        assert email.next_attempt_at > timezone.now() + timedelta(hours=5, minutes=59)

    @override_settings(EMAIL_BACKEND=FAILING_BACKEND)
    def test_it_stores_the_error_class_not_the_message(self) -> None:
        email = outbox_row()

        email_send.call(email.pk)

        email.refresh_from_db()
        assert "jordan" not in email.last_error

    @override_settings(EMAIL_BACKEND=FAILING_BACKEND, EMAIL_MAX_ATTEMPTS=3)
    def test_it_gives_up_after_the_last_attempt(self) -> None:
        email = outbox_row()

        results = [email_send.call(email.pk) for _ in range(3)]

        assert results == ["failed", "failed", "failed"]
        email.refresh_from_db()
        assert email.status == OutboundEmail.Status.FAILED
        assert email.attempts == 3
        assert email.next_attempt_at is None
        assert email_send.call(email.pk) == "skipped"

    @override_settings(EMAIL_BACKEND=FAILING_BACKEND)
    def test_it_gives_up_after_the_configured_default(self) -> None:
        email = outbox_row()

        for _ in range(settings.EMAIL_MAX_ATTEMPTS - 1):
            email_send.call(email.pk)
        email.refresh_from_db()
        assert email.status == OutboundEmail.Status.PENDING

        email_send.call(email.pk)
        email.refresh_from_db()
        assert email.status == OutboundEmail.Status.FAILED
        assert email.attempts == settings.EMAIL_MAX_ATTEMPTS

    @override_settings(EMAIL_BACKEND=FAILING_BACKEND)
    def test_it_sends_once_the_server_is_back(self) -> None:
        email = outbox_row()
        email_send.call(email.pk)

        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            assert email_send.call(email.pk) == "sent"

        email.refresh_from_db()
        assert (email.status, email.attempts, email.last_error) == ("sent", 2, "")
        assert email.next_attempt_at is None
