"""PHI pages must not be kept by the browser or a proxy; public pages may be."""

from __future__ import annotations

from django.http import HttpResponseBase

from intake.models import RequestStatus
from pathways.testing import BaseTestCase, make_client, make_message, make_request


class NoStoreTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        client = make_client()
        self.phi_pages = [
            "/staff/requests/",
            f"/staff/requests/{make_request(status=RequestStatus.NEW).pk}/",
            "/staff/clients/",
            f"/staff/clients/{client.pk}/",
            "/staff/messages/",
            f"/staff/messages/{make_message().pk}/",
        ]

    def assert_no_store(self, response: HttpResponseBase) -> None:
        assert "no-store" in response.get("Cache-Control", ""), response.get("Cache-Control")

    def assert_cacheable(self, response: HttpResponseBase) -> None:
        assert "no-store" not in response.get("Cache-Control", "")

    def test_it_sends_no_store_on_phi_pages(self) -> None:
        self.client.force_login(self.intake)
        for url in self.phi_pages:
            with self.subTest(url=url):
                response = self.client.get(url)
                assert response.status_code == 200
                self.assert_no_store(response)

    def test_it_sends_no_store_on_the_staff_home_and_sign_in_pages(self) -> None:
        self.assert_no_store(self.client.get("/staff/sign-in/"))
        self.client.force_login(self.therapist)
        self.assert_no_store(self.client.get("/staff/"))

    def test_it_sends_no_store_on_a_404_under_staff(self) -> None:
        self.client.force_login(self.therapist)
        self.assert_no_store(self.client.get("/staff/requests/999999/"))

    def test_it_lets_anonymous_visitors_cache_the_public_pages(self) -> None:
        for url in ("/", f"/services/{self.service.slug}/", "/which-service-fits-me/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                assert response.status_code == 200
                self.assert_cacheable(response)

    def test_it_sends_no_store_on_a_public_page_to_a_signed_in_user(self) -> None:
        self.client.force_login(self.intake)

        self.assert_no_store(self.client.get("/"))

    def test_it_sends_no_store_when_a_public_form_echoes_what_was_typed(self) -> None:
        response = self.client.post(
            "/request-an-appointment/", {"first_name": "Wren", "email": "not-an-email"}
        )

        assert response.status_code == 200
        self.assertContains(response, "Wren")
        self.assert_no_store(response)
