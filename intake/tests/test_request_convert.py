from __future__ import annotations

from typing import TYPE_CHECKING

from audit.models import AuditEvent
from clients.models import Client
from intake.models import AppointmentRequest, RequestStatus, StatusChange
from pathways.testing import BaseTestCase, make_request

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class RequestConvertTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.appt = make_request(
            first_name="Ottilie",
            last_name="Brandvold",
            email="ottilie@example.com",
            phone="(555) 010-0133",
            service=self.service,
            status=RequestStatus.SCHEDULED,
            assigned_to=self.therapist,
        )
        self.url = f"/staff/requests/{self.appt.pk}/convert/"

    def convert(self, appt: AppointmentRequest | None = None) -> TestResponse:
        return self.client.post(
            f"/staff/requests/{(appt or self.appt).pk}/convert/", {"confirm": "yes"}
        )

    def test_it_creates_the_client_from_the_request(self) -> None:
        self.client.force_login(self.intake)

        response = self.convert()

        client = Client.objects.get()
        self.assertRedirects(response, f"/staff/clients/{client.pk}/")
        assert (client.first_name, client.last_name) == ("Ottilie", "Brandvold")
        assert client.email == "ottilie@example.com"
        assert client.phone == "(555) 010-0133"
        assert client.service_of_interest == self.service.title
        assert client.assigned_therapist == self.therapist
        assert client.created_by == self.intake
        assert client.status == "prospective"

    def test_it_links_the_request_and_marks_it_converted(self) -> None:
        self.client.force_login(self.intake)

        self.convert()

        self.appt.refresh_from_db()
        assert self.appt.client == Client.objects.get()
        assert self.appt.status == RequestStatus.CONVERTED
        change = StatusChange.objects.get(request=self.appt)
        assert (change.from_status, change.to_status) == ("scheduled", "converted")
        assert change.changed_by == self.intake

    def test_it_writes_both_audit_entries(self) -> None:
        self.client.force_login(self.admin)

        self.convert()

        client = Client.objects.get()
        status = AuditEvent.objects.get(action="request.status")
        assert status.object_id == str(self.appt.pk)
        assert status.client_id == client.pk
        assert status.detail == {"from": "scheduled", "to": "converted"}
        created = AuditEvent.objects.get(action="client.create")
        assert created.actor == self.admin
        assert created.object_type == "clients.client"
        assert created.object_id == str(client.pk)
        assert created.client_id == client.pk
        assert created.detail == {"request": self.appt.pk}
        assert created.ip == "127.0.0.1"

    def test_it_converts_only_once(self) -> None:
        self.client.force_login(self.intake)

        self.convert()
        response = self.client.post(self.url, {"confirm": "yes"}, follow=True)

        assert Client.objects.count() == 1
        assert StatusChange.objects.count() == 1
        self.assertContains(response, "Only a scheduled request with no client yet")

    def test_it_converts_only_a_scheduled_request(self) -> None:
        self.client.force_login(self.intake)
        for status in ("new", "contacted", "declined", "spam"):
            with self.subTest(status=status):
                appt = make_request(status=status)

                response = self.convert(appt)

                self.assertRedirects(
                    response, f"/staff/requests/{appt.pk}/", fetch_redirect_response=False
                )
                appt.refresh_from_db()
                assert appt.status == status
                assert appt.client is None
        assert not Client.objects.exists()
        assert not AuditEvent.objects.filter(action="client.create").exists()

    def test_it_leaves_the_therapist_empty_when_nobody_is_assigned(self) -> None:
        self.appt.assigned_to = None
        self.appt.save()
        self.client.force_login(self.intake)

        self.convert()

        assert Client.objects.get().assigned_therapist is None

    def test_it_leaves_the_service_blank_when_the_request_named_none(self) -> None:
        self.appt.service = None
        self.appt.save()
        self.client.force_login(self.intake)

        self.convert()

        assert Client.objects.get().service_of_interest == ""

    def test_it_refuses_a_therapist(self) -> None:
        self.client.force_login(self.therapist)

        response = self.convert()

        assert response.status_code == 403
        assert not Client.objects.exists()
        self.appt.refresh_from_db()
        assert self.appt.status == RequestStatus.SCHEDULED
