from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import mail

from audit.models import AuditEvent
from intake.models import ContactMessage
from pathways.testing import BaseTestCase

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

URL = "/contact/"
SENT = "/contact/sent/"


def form_data(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Benedikt Sorensen",
        "email": "benedikt@example.com",
        "phone": "",
        "message": "Do you offer evening appointments?",
        "website": "",
        "token": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


class ContactFormTestCase(BaseTestCase):
    def post(self, data: dict[str, Any], **extra: Any) -> TestResponse:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(URL, data, **extra)

    def test_it_shows_the_form(self) -> None:
        response = self.client.get(URL)

        self.assertContains(response, "Contact us")
        self.assertContains(response, 'name="token"')

    def test_it_stores_the_message_and_redirects(self) -> None:
        response = self.post(form_data(phone="555 010 0142"))

        self.assertRedirects(response, SENT)
        message = ContactMessage.objects.get()
        assert message.name == "Benedikt Sorensen"
        assert message.email == "benedikt@example.com"
        assert message.phone == "555 010 0142"
        assert message.message == "Do you offer evening appointments?"
        assert message.handled_at is None

    def test_it_writes_an_anonymous_audit_entry(self) -> None:
        self.post(form_data())

        event = AuditEvent.objects.get()
        assert event.action == "message.create"
        assert event.actor is None
        assert event.object_id == str(ContactMessage.objects.get().pk)
        assert event.ip == "127.0.0.1"

    def test_it_tells_intake_without_details(self) -> None:
        self.post(form_data())

        assert [m.to for m in mail.outbox] == [["intake@pathways.example"]]
        message = mail.outbox[0]
        assert message.subject == "New contact message waiting"
        assert "/staff/messages/" in message.body
        for secret in ("Benedikt", "Sorensen", "benedikt@example.com", "evening"):
            assert secret not in message.subject + message.body

    def test_it_shows_errors_and_keeps_the_typed_values(self) -> None:
        response = self.post(form_data(email="benedikt-at-example", phone="12"))

        assert response.status_code == 200
        form = response.context["form"]
        assert set(form.errors) == {"email", "phone"}
        self.assertContains(response, 'id="id_email_error"')
        self.assertContains(response, 'value="Benedikt Sorensen"')
        self.assertContains(response, "Do you offer evening appointments?")
        assert not ContactMessage.objects.exists()

    def test_it_stores_a_double_submit_once(self) -> None:
        data = form_data()

        self.post(data)
        self.post(data)

        assert ContactMessage.objects.count() == 1
        assert len(mail.outbox) == 1

    def test_it_pretends_to_accept_a_bot(self) -> None:
        response = self.post(form_data(website="buy-now"))

        self.assertRedirects(response, SENT)
        assert not ContactMessage.objects.exists()
        assert mail.outbox == []

    def test_it_rate_limits_by_address(self) -> None:
        for _ in range(settings.PUBLIC_FORM_RATE_LIMIT):
            self.post(form_data(), REMOTE_ADDR="192.0.2.80")

        response = self.post(form_data(name="Zofia"), REMOTE_ADDR="192.0.2.80")

        self.assertContains(response, "Please call us instead", status_code=429)
        self.assertContains(response, 'value="Zofia"', status_code=429)
        assert ContactMessage.objects.count() == settings.PUBLIC_FORM_RATE_LIMIT
        assert self.post(form_data(), REMOTE_ADDR="192.0.2.81").status_code == 302

    def test_it_shows_a_sent_page_that_names_nobody(self) -> None:
        response = self.client.post(URL, form_data(), follow=True)

        assert response.redirect_chain == [(SENT, 302)]
        self.assertContains(response, "Thank you for your message")
        self.assertNotContains(response, "Benedikt")
