"""Permissions-Policy on every response (common.middleware.PermissionsPolicyMiddleware)."""

from __future__ import annotations

from pathways.testing import BaseTestCase

FEATURES = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()")


class PermissionsPolicyTestCase(BaseTestCase):
    def assert_policy(self, path: str) -> None:
        response = self.client.get(path)
        policy = response.headers.get("Permissions-Policy", "")
        for feature in FEATURES:
            assert feature in policy, (path, policy)

    def test_it_sends_it_on_public_pages(self) -> None:
        self.assert_policy("/")
        self.assert_policy("/request-an-appointment/")

    def test_it_sends_it_on_staff_pages_and_redirects(self) -> None:
        self.assert_policy("/staff/")  # a redirect to sign in
        self.assert_policy("/staff/sign-in/")
        self.client.force_login(self.admin)
        self.assert_policy("/staff/")

    def test_it_sends_it_on_a_404(self) -> None:
        self.assert_policy("/no-such-page/")

    def test_it_lets_the_bls_display_alone_keep_its_screen_awake(self) -> None:
        # A screen that sleeps mid-set stops the stimulation (bls/display_views.py).
        self.assert_policy("/display/")
        display = self.client.get("/display/").headers["Permissions-Policy"]
        assert "screen-wake-lock=(self)" in display
        for path in ("/", "/staff/sign-in/"):
            policy = self.client.get(path).headers["Permissions-Policy"]
            assert "screen-wake-lock=()" in policy, path
