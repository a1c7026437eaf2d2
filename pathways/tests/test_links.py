"""The one place that turns a path into a link for an e-mail (pathways/links.py)."""

from __future__ import annotations

from django.test import SimpleTestCase, override_settings

from common.links import absolute_url, site_url


class LinkTests(SimpleTestCase):
    @override_settings(SITE_URL="https://pathways.example/")
    def test_it_joins_the_site_url_and_a_path_with_one_slash(self) -> None:
        self.assertEqual(site_url("/staff/"), "https://pathways.example/staff/")

    @override_settings(SITE_URL="https://pathways.example")
    def test_it_builds_the_absolute_url_of_a_named_view(self) -> None:
        self.assertEqual(
            absolute_url("alerts:alert", 7), "https://pathways.example/staff/measures/alerts/7/"
        )
        self.assertEqual(
            absolute_url("alerts:list"), "https://pathways.example/staff/measures/alerts/"
        )
