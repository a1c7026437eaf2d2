"""Someone else's object answers 404, exactly like one that does not exist."""

from __future__ import annotations

from intake.models import RequestNote, RequestStatus
from pathways.testing import BaseTestCase, make_client, make_message, make_request


class OtherTherapistsRequestTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.theirs = make_request(
            first_name="Quentin", last_name="Marchetti", assigned_to=self.therapist2
        )
        self.unassigned = make_request(first_name="Ursula", last_name="Nakamura")
        self.client.force_login(self.therapist)

    def test_it_hides_a_request_assigned_to_another_therapist(self) -> None:
        response = self.client.get(f"/staff/requests/{self.theirs.pk}/")

        assert response.status_code == 404
        self.assertNotContains(response, "Quentin", status_code=404)
        self.assertNotContains(response, "Marchetti", status_code=404)

    def test_it_hides_an_unassigned_request(self) -> None:
        response = self.client.get(f"/staff/requests/{self.unassigned.pk}/")

        assert response.status_code == 404
        self.assertNotContains(response, "Ursula", status_code=404)

    def test_it_refuses_a_note_on_another_therapists_request(self) -> None:
        response = self.client.post(
            f"/staff/requests/{self.theirs.pk}/notes/", {"body": "Sneaky note"}
        )

        assert response.status_code == 404
        self.assertNotContains(response, "Marchetti", status_code=404)
        assert not RequestNote.objects.exists()

    def test_it_refuses_a_note_on_an_unassigned_request(self) -> None:
        response = self.client.post(
            f"/staff/requests/{self.unassigned.pk}/notes/",
            {"body": "Sneaky note"},
            HTTP_HX_REQUEST="true",
        )

        assert response.status_code == 404
        assert not RequestNote.objects.exists()

    def test_it_leaves_them_out_of_the_inbox(self) -> None:
        mine = make_request(first_name="Mina", assigned_to=self.therapist)

        response = self.client.get("/staff/requests/")

        assert [appt.pk for appt in response.context["page"]] == [mine.pk]
        self.assertNotContains(response, "Marchetti")
        self.assertNotContains(response, "Nakamura")


class OtherTherapistsClientTestCase(BaseTestCase):
    def test_it_hides_a_client_assigned_to_another_therapist(self) -> None:
        theirs = make_client(
            first_name="Henrietta", last_name="Oyelaran", assigned_therapist=self.therapist2
        )
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/clients/{theirs.pk}/")

        assert response.status_code == 404
        self.assertNotContains(response, "Henrietta", status_code=404)
        self.assertNotContains(response, "Oyelaran", status_code=404)

    def test_it_hides_an_unassigned_client(self) -> None:
        nobodys = make_client(last_name="Oyelaran")
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/clients/{nobodys.pk}/")

        assert response.status_code == 404

    def test_it_shows_the_same_client_to_intake(self) -> None:
        # The 404 above is about ownership, not about the record.
        theirs = make_client(last_name="Oyelaran", assigned_therapist=self.therapist2)
        self.client.force_login(self.intake)

        self.assertContains(self.client.get(f"/staff/clients/{theirs.pk}/"), "Oyelaran")


class MissingObjectTestCase(BaseTestCase):
    def test_it_answers_404_for_ids_that_do_not_exist(self) -> None:
        appt = make_request(status=RequestStatus.SCHEDULED)
        client = make_client()
        message = make_message()
        missing = max(appt.pk, client.pk, message.pk) + 1000
        gets = [
            f"/staff/requests/{missing}/",
            f"/staff/clients/{missing}/",
            f"/staff/messages/{missing}/",
        ]
        posts = [
            (f"/staff/requests/{missing}/status/", {"status": "contacted"}),
            (f"/staff/requests/{missing}/assign/", {"clinician": ""}),
            (f"/staff/requests/{missing}/notes/", {"body": "Hello"}),
            (f"/staff/requests/{missing}/convert/", {}),
            (f"/staff/messages/{missing}/handled/", {}),
        ]
        for user in (self.admin, self.intake):
            self.client.force_login(user)
            for url in gets:
                with self.subTest(user=user.username, url=url):
                    assert self.client.get(url).status_code == 404
            for url, data in posts:
                with self.subTest(user=user.username, url=url):
                    assert self.client.post(url, data).status_code == 404
        assert not RequestNote.objects.exists()
