"""Submissions during a mail outage lose nothing and go out once mail is back.

With the mail server unreachable, an appointment request and a contact message
(the public site), a consent signed on its link and a questionnaire answered on
its link are each stored and answered normally; every e-mail they cause stays in
the outbox, pending, with the error's class only. Once the server is back, the
retry command (`manage.py email_retry`, also the worker's deferred retry) sends
each exactly once and erases its body. Nothing logged on the way names anyone.
"""

from __future__ import annotations

import io
import logging
import smtplib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.actor import Actor
from consents import services as consent_services
from consents.models import ConsentKind, SignedConsent
from intake.models import AppointmentRequest, ContactMessage
from measures import services as measure_services
from measures.models import Response, SafetyAlert
from measures.tests.support import GAD7, PHQ9, answers
from notifications.models import OutboundEmail
from notifications.tasks import _backoff, email_send
from pathways.testing import BaseTestCase, make_client, make_document

# What must never reach a log line: names, addresses and what people wrote.
PHI = (
    "Marisol",
    "Okafor",
    "marisol.okafor@example.com",
    "Intrusive memories",
    "Benedikt",
    "benedikt@example.com",
    "evening appointments",
    "Vantongeren",
    "vantongeren@example.com",
)


class RefusedBackend(BaseEmailBackend):
    """A mail server that refuses the connection (its message names the recipient,
    as real ones do)."""

    def send_messages(self, email_messages: Any) -> int:
        to = ", ".join(address for m in email_messages for address in m.to)
        raise ConnectionRefusedError(f"Connection refused while sending to {to}")


class SmtpErrorBackend(BaseEmailBackend):
    """A mail server that answers with an SMTP error."""

    def send_messages(self, email_messages: Any) -> int:
        to = ", ".join(address for m in email_messages for address in m.to)
        raise smtplib.SMTPException(f"451 try again later for {to}")


REFUSED = f"{__name__}.RefusedBackend"
SMTP_ERROR = f"{__name__}.SmtpErrorBackend"


class _Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]!r}"
        self.lines.append(text)


@contextmanager
def captured_logs() -> Iterator[list[str]]:
    handler, root = _Captured(), logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def request_data() -> dict[str, Any]:
    return {
        "first_name": "Marisol",
        "last_name": "Okafor",
        "email": "marisol.okafor@example.com",
        "phone": "(555) 010-0161",
        "preferred_contact": "email",
        "reason": "Intrusive memories after the car crash.",
        "consent_to_contact": "on",
        "not_emergency_ack": "on",
        "token": str(uuid.uuid4()),
    }


def contact_data() -> dict[str, Any]:
    return {
        "name": "Benedikt Sorensen",
        "email": "benedikt@example.com",
        "phone": "",
        "message": "Do you offer evening appointments?",
        "website": "",
        "token": str(uuid.uuid4()),
    }


def measure_data() -> dict[str, str]:
    data = {"submit": "1"}
    for code, items in (("phq9", answers(PHQ9, q9=1)), ("gad7", answers(GAD7))):
        for key, value in items.items():
            data[f"{code}-{key}"] = str(value)
    return data


class MailOutageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        call_command("load_instruments", stdout=io.StringIO())
        make_document(ConsentKind.KAP)
        self.record = make_client(
            first_name="Marisol",
            last_name="Vantongeren",
            email="vantongeren@example.com",
            assigned_therapist=self.therapist,
        )

    def post(self, url: str, data: dict[str, Any]) -> Any:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, data)

    def submit_everything(self) -> None:
        """The four submissions (and the two staff sends that give the client links)."""
        therapist = Actor.for_user(self.therapist)
        with self.captureOnCommitCallbacks(execute=True):
            _request, consent_token = consent_services.consent_request_send(
                actor=therapist, client=self.record, kind=ConsentKind.KAP
            )
            _link, measure_token = measure_services.link_send(
                actor=therapist, client=self.record, codes=["phq9", "gad7"]
            )

        response = self.post("/request-an-appointment/", request_data())
        self.assertRedirects(response, "/request-an-appointment/received/")
        response = self.post("/contact/", contact_data())
        self.assertRedirects(response, "/contact/sent/")
        signed = {"typed_name": "Marisol Vantongeren", "agreed": "on"}
        response = self.post(f"/consent/{consent_token}/", signed)
        assert response.status_code == 302, response.status_code
        response = self.post(f"/measures/{measure_token}/", measure_data())
        assert response.status_code == 200, response.status_code

    def assert_stored(self) -> None:
        assert AppointmentRequest.objects.filter(last_name="Okafor").count() == 1
        assert ContactMessage.objects.filter(email="benedikt@example.com").count() == 1
        assert SignedConsent.objects.filter(client=self.record).count() == 1
        assert Response.objects.filter(client=self.record).count() == 2
        assert SafetyAlert.objects.filter(client=self.record).count() == 1

    def expected_recipients(self) -> list[str]:
        return sorted(
            [
                "intake@pathways.example",  # the new request
                "marisol.okafor@example.com",  # its confirmation
                "intake@pathways.example",  # the new message
                "vantongeren@example.com",  # the consent link
                "vantongeren@example.com",  # the questionnaire link
                self.therapist.email,  # the safety alert
            ]
        )

    def retry_when_due(self) -> None:
        OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        call_command("email_retry", stdout=io.StringIO())

    def test_it_stores_everything_and_keeps_the_e_mails_pending(self) -> None:
        with override_settings(EMAIL_BACKEND=REFUSED), captured_logs() as lines:
            self.submit_everything()

        self.assert_stored()
        assert mail.outbox == []
        rows = list(OutboundEmail.objects.order_by("pk"))
        assert sorted(row.to for row in rows) == self.expected_recipients()
        for row in rows:
            assert row.status == OutboundEmail.Status.PENDING
            assert (row.attempts, row.last_error) == (1, "ConnectionRefusedError")
            assert row.next_attempt_at is not None
            assert row.next_attempt_at > timezone.now()
            assert row.body  # kept (encrypted) until it is sent
        logged = "\n".join(lines)
        assert "ConnectionRefusedError" in logged  # the failures were logged ...
        for secret in PHI:
            assert secret not in logged, secret  # ... without anyone's details

    def test_it_sends_each_e_mail_once_when_mail_is_back(self) -> None:
        with override_settings(EMAIL_BACKEND=REFUSED):
            self.submit_everything()
            self.retry_when_due()  # still down: nothing goes, nothing is lost
        assert mail.outbox == []
        assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"pending"}

        self.retry_when_due()
        self.retry_when_due()  # a second run finds nothing left to send
        for pk in OutboundEmail.objects.values_list("pk", flat=True):
            assert email_send.call(pk) == "skipped"  # nor does a late deferred retry

        assert sorted(m.to[0] for m in mail.outbox) == self.expected_recipients()
        for row in OutboundEmail.objects.all():
            assert row.status == OutboundEmail.Status.SENT
            assert (row.attempts, row.last_error, row.body) == (3, "", "")
            assert row.sent_at is not None

    def test_it_survives_an_smtp_error_too(self) -> None:
        with override_settings(EMAIL_BACKEND=SMTP_ERROR), captured_logs() as lines:
            response = self.post("/request-an-appointment/", request_data())

        self.assertRedirects(response, "/request-an-appointment/received/")
        assert AppointmentRequest.objects.count() == 1
        rows = OutboundEmail.objects.all()
        assert {(row.status, row.last_error) for row in rows} == {("pending", "SMTPException")}
        for secret in PHI:
            assert secret not in "\n".join(lines), secret

        self.retry_when_due()

        assert len(mail.outbox) == 2
        assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


class OutageLengthTestCase(BaseTestCase):
    def test_it_keeps_trying_through_a_day_long_outage(self) -> None:
        # The waits between the first try and the last, with the settings as shipped.
        waits = [_backoff(n) for n in range(1, settings.EMAIL_MAX_ATTEMPTS)]

        assert sum(waits, timedelta()) >= timedelta(hours=24)
