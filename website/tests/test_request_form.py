from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from django.core import mail

from audit.models import AuditEvent
from common.ratelimit import ip_hash
from intake.models import AppointmentRequest
from notifications.models import OutboundEmail
from pathways.testing import BaseTestCase, make_service

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

URL = "/request-an-appointment/"
RECEIVED = "/request-an-appointment/received/"


def form_data(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "first_name": "Rowan",
        "last_name": "Whitlock",
        "email": "rowan.whitlock@example.com",
        "phone": "(555) 010-0177",
        "preferred_contact": "email",
        "preferred_times": ["evening", "weekend"],
        "service": "",
        "reason": "Nightmares since the flood last spring.",
        "heard_about": "friend",
        "consent_to_contact": "on",
        "not_emergency_ack": "on",
        "website": "",
        "token": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


class RequestFormTestCase(BaseTestCase):
    def post(self, data: dict[str, Any], **extra: Any) -> TestResponse:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(URL, data, **extra)

    def test_it_shows_the_form_with_a_fresh_token(self) -> None:
        first = self.client.get(URL)
        second = self.client.get(URL)

        self.assertContains(first, "Request an appointment")
        tokens = []
        for r in (first, second):
            match = re.search(r'name="token" value="([^"]+)"', r.content.decode())
            assert match is not None
            tokens.append(match.group(1))
        assert tokens[0] != tokens[1]
        assert all(uuid.UUID(token) for token in tokens)

    def test_it_offers_the_contact_methods_with_no_blank_choice_and_none_ticked(self) -> None:
        page = self.client.get(URL).content.decode()

        radios = re.findall(r'<input type="radio" name="preferred_contact"[^>]*>', page)
        values = [re.findall(r'value="([^"]*)"', radio) for radio in radios]
        assert values == [["phone"], ["text"], ["email"]]
        assert not any("checked" in radio for radio in radios)
        assert "---------" not in page

    def test_it_asks_for_a_contact_method_beside_the_field_and_keeps_the_rest(self) -> None:
        response = self.post(form_data(preferred_contact=""))

        self.assertContains(response, "Choose how we should contact you.")
        self.assertContains(response, "Nightmares since the flood last spring.")
        assert not AppointmentRequest.objects.exists()

    def test_it_preselects_the_service_from_the_query_string(self) -> None:
        emdr = make_service("emdr", title="EMDR Therapy")

        response = self.client.get(f"{URL}?service=emdr")

        assert response.context["form"]["service"].value() == emdr.pk
        self.assertContains(response, f'<option value="{emdr.pk}" selected>EMDR Therapy</option>')

    def test_it_ignores_an_unknown_or_unpublished_service(self) -> None:
        make_service("hidden", title="Hidden", published=False)
        for slug in ("hidden", "no-such-service"):
            with self.subTest(slug=slug):
                response = self.client.get(f"{URL}?service={slug}")
                assert response.status_code == 200
                # The page with no service chosen (kept after the first visitor's).
                self.assertContains(response, '<option value="" selected>')
                self.assertContains(response, f'<option value="{self.service.pk}">')

    def test_it_stores_exactly_one_request(self) -> None:
        data = form_data(service=str(self.service.pk))

        response = self.post(data)

        self.assertRedirects(response, RECEIVED)
        appt = AppointmentRequest.objects.get()
        assert (appt.first_name, appt.last_name) == ("Rowan", "Whitlock")
        assert appt.email == "rowan.whitlock@example.com"
        assert appt.phone == "(555) 010-0177"
        assert appt.preferred_contact == "email"
        assert appt.preferred_times == ["evening", "weekend"]
        assert appt.service == self.service
        assert appt.reason == "Nightmares since the flood last spring."
        assert appt.heard_about == "friend"
        assert appt.consent_to_contact is True
        assert appt.not_emergency_ack is True
        assert appt.status == "new"
        assert appt.assigned_to is None
        assert str(appt.submission_token) == data["token"]

    def test_it_keeps_a_keyed_hash_of_the_ip_not_the_address(self) -> None:
        self.post(form_data(), REMOTE_ADDR="198.51.100.23")

        appt = AppointmentRequest.objects.get()
        assert appt.ip_hash == ip_hash("198.51.100.23")
        assert "198.51.100.23" not in appt.ip_hash

    def test_it_shows_a_received_page_without_id_or_name(self) -> None:
        response = self.client.post(URL, form_data(), follow=True)

        appt = AppointmentRequest.objects.get()
        assert response.redirect_chain == [(RECEIVED, 302)]
        assert response.request["PATH_INFO"] == RECEIVED
        assert response.request["QUERY_STRING"] == ""
        self.assertContains(response, "received your request")
        for secret in ("Rowan", "Whitlock", "rowan.whitlock", "flood", f"#{appt.pk}"):
            self.assertNotContains(response, secret)

    def test_it_writes_an_anonymous_audit_entry(self) -> None:
        self.post(form_data(), REMOTE_ADDR="198.51.100.23")

        appt = AppointmentRequest.objects.get()
        event = AuditEvent.objects.get()
        assert event.action == "request.create"
        assert event.actor is None
        assert event.object_type == "intake.appointmentrequest"
        assert event.object_id == str(appt.pk)
        assert event.ip == "198.51.100.23"
        assert event.detail == {}

    def test_it_shows_errors_next_to_the_fields_and_keeps_the_typed_values(self) -> None:
        cases = {
            "email": (
                {"email": "rowan-at-example"},
                "Enter a valid email address.",
                'value="rowan-at-example"',
            ),
            "consent_to_contact": (
                {"consent_to_contact": ""},
                "We need your permission to contact you.",
                'value="Whitlock"',
            ),
            "phone": (
                {"phone": "12"},
                "Enter a phone number with area code",
                'name="phone" value="12"',
            ),
            "reason": (
                {"reason": "   "},
                "Tell us briefly what you would like help with.",
                'value="rowan.whitlock@example.com"',
            ),
        }
        for field, (extra, message, kept) in cases.items():
            with self.subTest(field=field):
                response = self.post(form_data(**extra))

                assert response.status_code == 200
                html = response.content.decode()
                error = re.search(rf'<p class="error" id="id_{field}_error">([^<]*)</p>', html)
                assert error, f"no error next to {field}"
                assert message in error.group(1)
                assert kept in html
                assert 'value="Rowan"' in html
                assert "Nightmares since the flood" in html or field == "reason"
                assert 'aria-invalid="true"' in html
        assert not AppointmentRequest.objects.exists()
        assert not OutboundEmail.objects.exists()
        assert mail.outbox == []

    def test_it_refuses_a_reason_that_is_too_long(self) -> None:
        response = self.post(form_data(reason="x" * 1001))

        assert response.status_code == 200
        assert "reason" in response.context["form"].errors
        assert not AppointmentRequest.objects.exists()

    def test_it_refuses_an_unpublished_service(self) -> None:
        hidden = make_service("hidden", published=False)

        response = self.post(form_data(service=str(hidden.pk)))

        assert "service" in response.context["form"].errors
        assert not AppointmentRequest.objects.exists()

    def test_it_stores_a_double_submit_once_and_e_mails_once(self) -> None:
        data = form_data()

        first = self.post(data)
        second = self.post(data)

        self.assertRedirects(first, RECEIVED)
        self.assertRedirects(second, RECEIVED)
        assert AppointmentRequest.objects.count() == 1
        assert OutboundEmail.objects.count() == 2
        assert len(mail.outbox) == 2
        assert AuditEvent.objects.filter(action="request.create").count() == 1

    def test_it_pretends_to_accept_a_bot(self) -> None:
        response = self.post(form_data(website="https://spam.example"))

        self.assertRedirects(response, RECEIVED)
        assert not AppointmentRequest.objects.exists()
        assert not OutboundEmail.objects.exists()
        assert not AuditEvent.objects.exists()
        assert mail.outbox == []

    def test_it_accepts_a_mangled_or_missing_token(self) -> None:
        for n, token in enumerate(("not-a-uuid", "", "{{ token }}", "1234")):
            with self.subTest(token=token):
                # Four people: the same one again within a day would be counted, not stored.
                person = {"email": f"p{n}@example.com", "phone": f"(555) 010-01{n}0"}
                response = self.post(form_data(token=token, **person))
                self.assertRedirects(response, RECEIVED)

        tokens = set(AppointmentRequest.objects.values_list("submission_token", flat=True))
        assert len(tokens) == 4
        assert all(isinstance(token, uuid.UUID) for token in tokens)
