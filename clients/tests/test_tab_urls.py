"""The chart's tab URLs, reversed once per tab (clients.views.tab_url), are Django's."""

from __future__ import annotations

from django.urls import reverse, set_script_prefix

from clients.panels import OVERVIEW, TABS
from clients.views import tab_url
from pathways.testing import BaseTestCase, make_client


class TabUrlTests(BaseTestCase):
    def test_it_writes_what_reverse_writes(self) -> None:
        clients = [make_client(), make_client(first_name="Cy")]
        for prefix in ("/", "/pathways/"):
            set_script_prefix(prefix)
            try:
                for client in clients:
                    for slug, _label in TABS:
                        with self.subTest(prefix=prefix, pk=client.pk, tab=slug):
                            if slug == OVERVIEW:
                                expected = reverse("clients:detail", args=[client.pk])
                            else:
                                expected = reverse("clients:tab", args=[client.pk, slug])
                            assert tab_url(client, slug) == expected
            finally:
                set_script_prefix("/")
        assert tab_url(clients[0], "timeline").startswith("/staff/clients/")
