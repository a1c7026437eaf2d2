"""The e-mails a request sends, what they leave out, and a mail server outage."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from intake.models import AppointmentRequest
from notifications.models import OutboundEmail
from notifications.tasks import email_send
from pathways.testing import BaseTestCase, make_user

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

URL = "/request-an-appointment/"
REQUESTER = "marisol.okafor@example.com"
FAILING_BACKEND = f"{__name__}.OutageBackend"


class OutageBackend(BaseEmailBackend):
    """A mail server that cannot be reached."""

    def send_messages(self, email_messages: Any) -> int:
        raise OSError("Connection refused by mail.example for marisol.okafor@example.com")


def form_data() -> dict[str, Any]:
    return {
        "first_name": "Marisol",
        "last_name": "Okafor",
        "email": REQUESTER,
        "phone": "(555) 010-0161",
        "preferred_contact": "email",
        "reason": "Intrusive memories after the car crash.",
        "consent_to_contact": "on",
        "not_emergency_ack": "on",
        "token": str(uuid.uuid4()),
    }


class RequestEmailTestCase(BaseTestCase):
    def submit(self) -> TestResponse:
        data = {**form_data(), "service": str(self.service.pk)}
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(URL, data)

    def test_it_e_mails_each_active_intake_user_and_the_requester(self) -> None:
        make_user("intake2", "intake")
        make_user("intake-gone", "intake", is_active=False)
        no_address = make_user("intake-no-mail", "intake")
        no_address.email = ""
        no_address.save()

        self.submit()

        recipients = sorted(address for m in mail.outbox for address in m.to)
        assert recipients == [
            "intake2@pathways.example",
            "intake@pathways.example",
            REQUESTER,
        ]

    @override_settings(INTAKE_NOTIFY_EMAILS=["frontdesk@pathways.example"])
    def test_it_also_e_mails_the_extra_notify_addresses(self) -> None:
        self.submit()

        recipients = sorted(address for m in mail.outbox for address in m.to)
        assert recipients == ["frontdesk@pathways.example", "intake@pathways.example", REQUESTER]

    def test_it_sends_a_confirmation_and_a_staff_link(self) -> None:
        self.submit()

        confirmation = next(m for m in mail.outbox if m.to == [REQUESTER])
        staff = next(m for m in mail.outbox if m.to == ["intake@pathways.example"])
        assert "We received your request" in confirmation.subject
        assert "988" in confirmation.body
        assert staff.subject == "New appointment request waiting"
        assert "http://127.0.0.1:8000/staff/requests/" in staff.body

    def test_it_puts_no_phi_in_any_e_mail(self) -> None:
        self.submit()

        assert len(mail.outbox) == 2
        for message in mail.outbox:
            text = f"{message.subject}\n{message.body}"
            for secret in (
                "Marisol",
                "Okafor",
                "Intrusive memories",
                "car crash",
                self.service.title,
                "KAP",
                "010-0161",
            ):
                assert secret not in text, (message.to, secret)
        staff = next(m for m in mail.outbox if m.to != [REQUESTER])
        assert REQUESTER not in staff.body

    def test_it_marks_the_outbox_rows_sent(self) -> None:
        self.submit()

        rows = OutboundEmail.objects.all()
        assert [row.status for row in rows] == ["sent", "sent"]
        assert all(row.attempts == 1 and row.sent_at for row in rows)


class MailOutageTestCase(BaseTestCase):
    @override_settings(EMAIL_BACKEND=FAILING_BACKEND)
    def submit_during_outage(self) -> TestResponse:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(URL, form_data())

    def test_it_still_accepts_the_request(self) -> None:
        response = self.submit_during_outage()

        self.assertRedirects(response, "/request-an-appointment/received/")
        assert AppointmentRequest.objects.filter(email=REQUESTER).count() == 1
        assert mail.outbox == []

    def test_it_leaves_the_e_mails_pending_with_the_error_class_only(self) -> None:
        self.submit_during_outage()

        rows = list(OutboundEmail.objects.all())
        assert len(rows) == 2
        for row in rows:
            assert row.status == OutboundEmail.Status.PENDING
            assert row.attempts == 1
            assert row.last_error == "OSError"
            assert row.next_attempt_at is not None
            assert row.next_attempt_at > timezone.now()

    def test_it_delivers_them_once_the_server_is_back(self) -> None:
        self.submit_during_outage()

        for pk in OutboundEmail.objects.values_list("pk", flat=True):
            assert email_send.call(pk) == "sent"

        assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
        assert len(mail.outbox) == 2
        assert OutboundEmail.objects.filter(last_error="").count() == 2

    def test_it_delivers_them_through_the_retry_command_when_due(self) -> None:
        self.submit_during_outage()

        # Not due yet: the back-off holds them.
        call_command("email_retry", stdout=io.StringIO())
        assert mail.outbox == []

        OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        call_command("email_retry", stdout=io.StringIO())

        assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
        assert sorted(m.to[0] for m in mail.outbox) == ["intake@pathways.example", REQUESTER]
