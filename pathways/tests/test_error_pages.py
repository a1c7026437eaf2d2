"""The 403, 404 and 500 pages: styled, with a way back, and nothing of the request."""

from __future__ import annotations

from django.test import Client, override_settings

from pathways.testing import BaseTestCase


class ErrorPagesTestCase(BaseTestCase):
    def test_it_answers_a_missing_page_with_a_way_home(self) -> None:
        response = self.client.get("/no-such-page/")

        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "<h1>Page not found</h1>", status_code=404, html=False)
        self.assertContains(response, 'href="/"', status_code=404)
        self.assertContains(response, "988", status_code=404)  # the crisis line, as every page

    def test_it_sends_a_signed_in_member_of_staff_back_to_their_home(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get("/staff/measures/outcomes/")  # the admin's report

        self.assertContains(response, "This page is not open to you", status_code=403)
        self.assertContains(response, 'href="/staff/"', status_code=403)

    def test_it_sends_a_prescriber_back_to_the_portal_not_the_staff_area(self) -> None:
        self.client.force_login(self.prescriber)

        response = self.client.get("/staff/clients/")

        self.assertContains(response, "This page is not open to you", status_code=403)
        self.assertContains(response, 'href="/partner/"', status_code=403)
        self.assertNotContains(response, 'href="/staff/"', status_code=403)

    @override_settings(ROOT_URLCONF="pathways.tests.error_urls")
    def test_it_answers_a_failure_with_a_page_of_its_own(self) -> None:
        browser = Client(raise_request_exception=False)

        response = browser.get("/fails/")

        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "Something went wrong on our side", status_code=500)
        self.assertContains(response, "/static/css/site.css", status_code=500)
        self.assertNotContains(response, "a bug", status_code=500)
