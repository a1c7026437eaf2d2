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

        sections = response.context["sections"]
        assert (sections["requests"].count, sections["messages"].count) == (2, 1)
        self.assertContains(response, "/staff/requests/?status=new")

    def test_it_shows_a_therapist_no_requests(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get("/staff/")

        assert "requests" not in response.context["sections"]
        self.assertNotContains(response, "New requests")

    def test_it_sends_a_prescriber_to_the_portal(self) -> None:
        # Changed with issue 11 §1: the prescriber's home is the partner portal.
        self.client.force_login(self.prescriber)

        response = self.client.get("/staff/")

        self.assertRedirects(response, "/partner/", fetch_redirect_response=False)

    def test_it_audits_the_names_it_shows_with_ids_only(self) -> None:
        # Changed with issue 11 §1: the Today view names the new requests, so reading
        # it is audited (pathways/tests/test_today.py), with ids, never a name.
        self.client.force_login(self.admin)

        response = self.client.get("/staff/")

        self.assertContains(response, "Nadia")
        self.assertNotContains(response, "Cora")  # contacted, not new
        event = AuditEvent.objects.get(action="today.view")
        for name in ("Nadia", "Nolan", "Cora"):
            assert name not in str(event.detail)

    def test_it_refuses_a_user_without_a_role(self) -> None:
        self.client.force_login(make_user("nobody", ""))

        assert self.client.get("/staff/").status_code == 403

    def test_it_treats_an_inactive_user_as_signed_out(self) -> None:
        self.client.force_login(self.intake)
        self.intake.is_active = False
        self.intake.save()

        response = self.client.get("/staff/")

        assert response["Location"] == "/staff/sign-in/?next=/staff/"
