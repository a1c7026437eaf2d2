"""Dates at the edges of the calendar on the request inbox (issue 10 §5)."""

from __future__ import annotations

from pathways.testing import BaseTestCase


class InboxEdgeTests(BaseTestCase):
    def test_it_shows_the_inbox_with_a_message_for_9999_12_31(self) -> None:
        self.client.force_login(self.intake)

        for query in (
            {"received_to": "9999-12-31"},
            {"received_from": "0001-01-01"},
            {"received_from": "0001-01-01", "received_to": "9999-12-31"},
        ):
            with self.subTest(query=query):
                response = self.client.get("/staff/requests/", query)

                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors)
                self.assertContains(response, "Enter a date from 1 January 1900")
                self.assertContains(response, 'aria-invalid="true"')

    def test_it_filters_by_a_plausible_day(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get("/staff/requests/", {"received_to": "2026-01-01"})

        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["form"].errors)
