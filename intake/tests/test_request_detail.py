from __future__ import annotations

from audit.models import AuditEvent
from intake.models import RequestNote, RequestStatus, StatusChange
from pathways.testing import BaseTestCase, make_client, make_request


class RequestDetailTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.appt = make_request(
            first_name="Delphine",
            last_name="Aurelio",
            service=self.service,
            preferred_times=["morning", "weekend"],
            heard_about="clinician",
            assigned_to=self.therapist,
        )
        self.url = f"/staff/requests/{self.appt.pk}/"

    def test_it_shows_the_request(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get(self.url)

        self.assertContains(response, "Delphine Aurelio")
        self.assertContains(response, "alice@example.com")
        self.assertContains(response, "(555) 010-0123")
        self.assertContains(response, "Memories from an accident.")
        self.assertContains(response, "Weekday mornings, Weekends")
        self.assertContains(response, "A doctor or therapist")
        self.assertContains(response, self.service.title)
        self.assertContains(response, "Theo")

    def test_it_offers_only_the_allowed_forward_moves_as_buttons(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get(self.url)

        offered = [value for value, _ in response.context["forward"]]
        assert offered == ["contacted"]
        self.assertContains(response, 'name="status" value="contacted"')
        # No menu: nothing is pre-selected, least of all a negative choice.
        self.assertNotContains(response, '<select name="status"')
        self.assertNotContains(response, 'value="declined"')
        self.assertContains(response, "Decline this request")

    def test_it_offers_convert_only_when_scheduled(self) -> None:
        self.client.force_login(self.intake)
        self.assertNotContains(self.client.get(self.url), "Convert to client</button>")

        self.appt.status = RequestStatus.SCHEDULED
        self.appt.save()

        self.assertContains(self.client.get(self.url), "Convert to client</button>")

    def test_it_shows_the_assigned_therapist_no_management_forms(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        self.assertContains(response, "Delphine Aurelio")
        assert response.context["can_manage"] is False
        self.assertNotContains(response, f"/staff/requests/{self.appt.pk}/status/")
        self.assertNotContains(response, f"/staff/requests/{self.appt.pk}/assign/")
        self.assertNotContains(response, f"/staff/requests/{self.appt.pk}/convert/")
        self.assertContains(response, f"/staff/requests/{self.appt.pk}/notes/")

    def test_it_shows_the_history_and_notes(self) -> None:
        StatusChange.objects.create(
            request=self.appt, from_status="new", to_status="contacted", changed_by=self.intake
        )
        RequestNote.objects.create(request=self.appt, author=self.intake, body="Left voicemail.")
        self.client.force_login(self.admin)

        response = self.client.get(self.url)

        self.assertContains(response, "New → Contacted, by intake")
        self.assertContains(response, "Left voicemail.")

    def test_it_links_the_client_record_once_converted(self) -> None:
        client = make_client(first_name="Delphine", last_name="Aurelio")
        self.appt.client = client
        self.appt.status = RequestStatus.CONVERTED
        self.appt.save()
        self.client.force_login(self.intake)

        response = self.client.get(self.url)

        self.assertContains(response, f'href="/staff/clients/{client.pk}/"')

    def test_it_writes_an_audit_entry(self) -> None:
        self.client.force_login(self.therapist)

        self.client.get(self.url, REMOTE_ADDR="192.0.2.10")

        event = AuditEvent.objects.get(action="request.view")
        assert event.actor == self.therapist
        assert event.object_type == "intake.appointmentrequest"
        assert event.object_id == str(self.appt.pk)
        assert event.client_id is None
        assert event.ip == "192.0.2.10"

    def test_it_audits_the_client_of_a_converted_request(self) -> None:
        client = make_client()
        self.appt.client = client
        self.appt.save()
        self.client.force_login(self.intake)

        self.client.get(self.url)

        assert AuditEvent.objects.get(action="request.view").client_id == client.pk
