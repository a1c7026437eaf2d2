from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.messages import get_messages

from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_request, make_user

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class RequestAssignTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.appt = make_request()
        self.url = f"/staff/requests/{self.appt.pk}/assign/"

    def assign(self, clinician: int | str) -> TestResponse:
        self.client.cookies.pop("messages", None)
        return self.client.post(self.url, {"clinician": clinician})

    def message(self, response: TestResponse) -> str:
        # Messages live in the session, so unread ones from earlier steps queue up.
        return str(list(get_messages(response.wsgi_request))[-1])

    def test_it_assigns_a_therapist(self) -> None:
        self.client.force_login(self.intake)

        response = self.assign(self.therapist.pk)

        self.assertRedirects(
            response, f"/staff/requests/{self.appt.pk}/", fetch_redirect_response=False
        )
        assert self.message(response) == "Assignment saved."
        self.appt.refresh_from_db()
        assert self.appt.assigned_to == self.therapist

    def test_it_reassigns_and_unassigns(self) -> None:
        self.client.force_login(self.admin)

        self.assign(self.therapist.pk)
        self.assign(self.therapist2.pk)
        self.appt.refresh_from_db()
        assert self.appt.assigned_to == self.therapist2

        self.assign("")
        self.appt.refresh_from_db()
        assert self.appt.assigned_to is None

    def test_it_refuses_someone_who_is_not_an_active_therapist(self) -> None:
        self.appt.assigned_to = self.therapist
        self.appt.save()
        retired = make_user("retired", "therapist", is_active=False)
        self.client.force_login(self.intake)
        for user in (self.intake, self.prescriber, self.admin, retired):
            with self.subTest(user=user.username):
                response = self.assign(user.pk)

                assert self.message(response) == "Choose a clinician from the list."
                self.appt.refresh_from_db()
                assert self.appt.assigned_to == self.therapist
        assert self.message(self.assign(987654)) == "Choose a clinician from the list."
        assert not AuditEvent.objects.filter(action="request.assign").exists()

    def test_it_gives_the_therapist_access(self) -> None:
        self.client.force_login(self.intake)
        self.assign(self.therapist.pk)
        self.client.force_login(self.therapist)

        assert self.client.get(f"/staff/requests/{self.appt.pk}/").status_code == 200

    def test_it_writes_an_audit_entry(self) -> None:
        self.client.force_login(self.intake)

        self.assign(self.therapist.pk)

        event = AuditEvent.objects.get(action="request.assign")
        assert event.actor == self.intake
        assert event.object_id == str(self.appt.pk)
        assert event.detail == {"assigned_to": self.therapist.pk}
        assert event.ip == "127.0.0.1"
