from __future__ import annotations

from audit.models import AuditEvent
from clients.models import Client
from pathways.testing import BaseTestCase

URL = "/staff/clients/new/"


class ClientNewTestCase(BaseTestCase):
    def test_it_shows_the_form_to_admin_and_intake(self) -> None:
        for user in (self.admin, self.intake):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                response = self.client.get(URL)

                self.assertContains(response, "<h1>New client record</h1>", html=True)
                assert not response.context["form"].fields["assigned_therapist"].disabled

    def test_it_creates_the_record(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(
            URL,
            {
                "first_name": "Grace",
                "last_name": "Hopper",
                "phone": "(555) 010-0101",
                "state": "ny",
                "status": "prospective",
                "assigned_therapist": self.therapist.pk,
            },
        )

        client = Client.objects.get()
        self.assertRedirects(response, f"/staff/clients/{client.pk}/")
        assert (client.first_name, client.last_name) == ("Grace", "Hopper")
        assert client.state == "NY"
        assert client.phone_digits == "5550100101"
        assert client.assigned_therapist == self.therapist
        assert client.created_by == self.intake

    def test_it_audits_the_creation_without_values(self) -> None:
        self.client.force_login(self.admin)

        self.client.post(URL, {"first_name": "Grace", "last_name": "Hopper", "status": "active"})

        client = Client.objects.get()
        event = AuditEvent.objects.get(action="client.create")
        assert event.actor == self.admin
        assert event.client_id == client.pk
        assert event.object_id == str(client.pk)
        assert "Hopper" not in str(event.detail)

    def test_it_says_the_record_was_created(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(
            URL, {"first_name": "Grace", "last_name": "Hopper", "status": "active"}, follow=True
        )

        self.assertContains(response, "Client record created.")
        self.assertContains(response, "Grace Hopper")

    def test_it_keeps_what_was_typed_when_something_is_wrong(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(
            URL,
            {
                "first_name": "Grace",
                "last_name": "",
                "date_of_birth": "1850-01-01",
                "email": "not-an-email",
                "status": "prospective",
            },
        )

        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"last_name", "date_of_birth", "email"}
        self.assertContains(response, 'value="Grace"')
        self.assertContains(response, 'value="not-an-email"')
        self.assertContains(response, "Enter a date of birth between 1900 and today.")
        assert not Client.objects.exists()
        assert not AuditEvent.objects.filter(action="client.create").exists()

    def test_it_refuses_therapists_and_prescribers(self) -> None:
        for user in (self.therapist, self.prescriber):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                get = self.client.get(URL)
                post = self.client.post(
                    URL, {"first_name": "Grace", "last_name": "Hopper", "status": "active"}
                )

                assert (get.status_code, post.status_code) == (403, 403)
        assert not Client.objects.exists()

    def test_it_sends_anonymous_visitors_to_sign_in(self) -> None:
        response = self.client.post(URL, {"first_name": "Grace", "last_name": "Hopper"})

        self.assertRedirects(
            response, f"/staff/sign-in/?next={URL}", fetch_redirect_response=False
        )
        assert not Client.objects.exists()
