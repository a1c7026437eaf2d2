from __future__ import annotations

from django.utils import timezone

from audit.models import AuditEvent
from intake.models import RequestStatus
from pathways.testing import BaseTestCase, make_client, make_message, make_request, make_user


class HomeTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        make_request(first_name="Nadia")
        make_request(first_name="Nolan")
        make_request(first_name="Cora", status=RequestStatus.CONTACTED, assigned_to=self.therapist)
        make_message()
        make_message(handled_at=timezone.now(), handled_by=self.intake)
        make_client(assigned_therapist=self.therapist)

    def test_it_shows_intake_the_new_request_and_open_message_counts(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get("/staff/")

        assert response.context["counts"] == {"new_requests": 2, "open_messages": 1}
        self.assertContains(response, "/staff/requests/?status=new")

    def test_it_shows_a_therapist_their_own_counts(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get("/staff/")

        assert response.context["counts"] == {"my_requests": 1, "my_clients": 1}
        self.assertNotContains(response, "New requests")

    def test_it_shows_another_therapist_zero(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.client.get("/staff/")

        assert response.context["counts"] == {"my_requests": 0, "my_clients": 0}

    def test_it_shows_a_prescriber_no_counts(self) -> None:
        self.client.force_login(self.prescriber)

        response = self.client.get("/staff/")

        assert response.context["counts"] == {}
        self.assertContains(response, "Partner portal")

    def test_it_shows_no_names(self) -> None:
        # Counts only: the landing page is not a PHI page.
        self.client.force_login(self.admin)

        response = self.client.get("/staff/")

        for name in ("Nadia", "Nolan", "Cora"):
            self.assertNotContains(response, name)
        assert not AuditEvent.objects.exclude(action="auth.login").exists()

    def test_it_refuses_a_user_without_a_role(self) -> None:
        self.client.force_login(make_user("nobody", ""))

        assert self.client.get("/staff/").status_code == 403

    def test_it_treats_an_inactive_user_as_signed_out(self) -> None:
        self.client.force_login(self.intake)
        self.intake.is_active = False
        self.intake.save()

        response = self.client.get("/staff/")

        assert response["Location"] == "/staff/sign-in/?next=/staff/"
