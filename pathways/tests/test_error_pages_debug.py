"""The practice's 403 and 404 pages in development too (pathways.error_pages): under
DEBUG a 404 or a PermissionDenied shows the styled page with a way back, not Django's
technical page; a real exception still shows Django's debug page."""

from __future__ import annotations

from django.test import Client as DjangoClient
from django.test import override_settings

from pathways.testing import BaseTestCase

STYLED_404 = "Page not found"
STYLED_403 = "This page is not open to you"


@override_settings(DEBUG=True, ROOT_URLCONF="pathways.tests.error_urls")
class DebugErrorPagesTestCase(BaseTestCase):
    def test_it_shows_the_styled_404_for_an_unknown_address(self) -> None:
        response = self.client.get("/no-such-page/")

        self.assertContains(response, STYLED_404, status_code=404)
        self.assertContains(response, "Back to the home page", status_code=404)
        self.assertNotContains(response, "URLconf", status_code=404)
        self.assertNotContains(response, "DEBUG = True", status_code=404)

    def test_it_shows_the_styled_404_when_a_view_raises_it(self) -> None:
        response = self.client.get("/raise-404/")

        self.assertContains(response, STYLED_404, status_code=404)
        self.assertNotContains(response, "No such record", status_code=404)
        self.assertNotContains(response, "DEBUG = True", status_code=404)

    def test_it_shows_the_styled_404_for_a_record_out_of_reach(self) -> None:
        self.client.force_login(self.admin)

        response = self.client.get("/staff/consents/999999/")

        self.assertContains(response, STYLED_404, status_code=404)
        self.assertContains(response, "Back to your home page", status_code=404)

    def test_it_shows_the_styled_403(self) -> None:
        response = self.client.get("/raise-403/")

        self.assertContains(response, STYLED_403, status_code=403)
        self.assertNotContains(response, "<h1>403 Forbidden</h1>", status_code=403)

    def test_it_keeps_a_views_own_404(self) -> None:
        response = self.client.get("/own-404/")

        self.assertContains(response, "The view's own answer", status_code=404)

    def test_it_keeps_djangos_debug_page_for_a_real_exception(self) -> None:
        browser = DjangoClient(raise_request_exception=False)

        response = browser.get("/raise-500/")

        assert response.status_code == 500
        self.assertContains(response, "RuntimeError", status_code=500)
        self.assertContains(response, "A real bug", status_code=500)


@override_settings(DEBUG=False, ROOT_URLCONF="pathways.tests.error_urls")
class ProductionErrorPagesTestCase(BaseTestCase):
    def test_it_leaves_production_to_djangos_handlers(self) -> None:
        self.assertContains(self.client.get("/no-such-page/"), STYLED_404, status_code=404)
        self.assertContains(self.client.get("/raise-404/"), STYLED_404, status_code=404)
        self.assertContains(self.client.get("/raise-403/"), STYLED_403, status_code=403)
