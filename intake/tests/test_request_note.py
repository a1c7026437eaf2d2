from __future__ import annotations

from audit.models import AuditEvent
from intake.models import RequestNote
from pathways.testing import BaseTestCase, make_client, make_request


class RequestNoteTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.appt = make_request(first_name="Solveig", assigned_to=self.therapist)
        self.url = f"/staff/requests/{self.appt.pk}/notes/"

    def test_it_adds_a_note_and_redirects(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(self.url, {"body": "Left a voicemail at 10:15."})

        self.assertRedirects(
            response, f"/staff/requests/{self.appt.pk}/", fetch_redirect_response=False
        )
        note = RequestNote.objects.get()
        assert (note.request, note.author) == (self.appt, self.intake)
        assert note.body == "Left a voicemail at 10:15."

    def test_it_lets_the_assigned_therapist_add_a_note(self) -> None:
        self.client.force_login(self.therapist)

        self.client.post(self.url, {"body": "Prefers afternoons."})

        assert RequestNote.objects.get().author == self.therapist

    def test_it_returns_only_the_notes_panel_to_htmx(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(
            self.url, {"body": "Booked intake call."}, HTTP_HX_REQUEST="true"
        )

        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="notes"')
        assert "Booked intake call." in html
        assert "<html" not in html
        assert "Work this request" not in html
        assert "Solveig" not in html
        assert RequestNote.objects.count() == 1

    def test_it_refuses_an_empty_note(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(self.url, {"body": "   "})

        assert response.status_code == 200
        self.assertContains(response, 'id="id_body_error"')
        self.assertContains(response, "This field is required.")
        assert not RequestNote.objects.exists()
        assert not AuditEvent.objects.filter(action="request.note").exists()

    def test_it_refuses_an_empty_note_from_htmx(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(self.url, {"body": ""}, HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="notes"')
        assert "This field is required." in html
        assert not RequestNote.objects.exists()

    def test_it_keeps_a_too_long_note_for_correction(self) -> None:
        self.client.force_login(self.intake)
        body = "A" * 4001

        response = self.client.post(self.url, {"body": body})

        self.assertContains(response, "at most 4000 characters")
        self.assertContains(response, body)
        assert not RequestNote.objects.exists()

    def test_it_writes_an_audit_entry(self) -> None:
        client = make_client()
        self.appt.client = client
        self.appt.save()
        self.client.force_login(self.intake)

        self.client.post(self.url, {"body": "Sent the welcome pack."})

        event = AuditEvent.objects.get(action="request.note")
        assert event.actor == self.intake
        assert event.object_id == str(self.appt.pk)
        assert event.client_id == client.pk
        assert event.detail == {"note": RequestNote.objects.get().pk}
        assert "welcome pack" not in str(event.detail)

    def test_it_audits_the_request_it_shows_again_after_an_error(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(self.url, {"body": ""})

        self.assertContains(response, "Solveig")
        event = AuditEvent.objects.exclude(action="auth.login").get()
        assert (event.action, event.object_id) == ("request.view", str(self.appt.pk))
