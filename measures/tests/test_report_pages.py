"""Issue 14: at 10,000 clients the report's lists of who is and is not included run to
thousands of rows; the page shows them a page at a time, each list with its own page
parameter, and counts the reasons for not including a row."""

from __future__ import annotations

import re
from unittest import mock

from django.urls import reverse

from measures.outcomes import views as report_views
from measures.tests.test_report import OutcomesTestCase

URL = reverse("outcomes:report")
RANGE = {"from": "2026-01-01", "to": "2026-12-31"}


def rows(html: str, table: str) -> list[str]:
    body = html.split(f'class="list {table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td><a href=\"[^\"]+\">(#\d+)</a>", body)


class ReportPagesTests(OutcomesTestCase):
    def test_it_shows_each_list_a_page_at_a_time(self) -> None:
        self.client.force_login(self.admin)
        with mock.patch.object(report_views, "PAGE_SIZE", 2):
            first = self.client.get(URL, RANGE)
            second = self.client.get(URL, {**RANGE, "included_page": "2"})
        result = first.context["result"]
        self.assertGreater(len(result.included), 2)  # there is a second page
        html, html2 = first.content.decode(), second.content.decode()
        shown = [f"#{i.client_id}" for i in result.included]
        self.assertEqual(rows(html, "outcome-included"), shown[:2])
        self.assertEqual(rows(html2, "outcome-included"), shown[2:4])
        self.assertEqual(len(rows(html, "outcome-excluded")), 2)
        self.assertContains(first, f"{len(result.included)} rows (course × instrument)")
        self.assertContains(first, "included_page=2#included")
        self.assertContains(first, "excluded_page=2#excluded")

    def test_it_counts_the_reasons_for_every_row_not_included(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.get(URL, RANGE)
        reasons = response.context["reasons"]
        self.assertEqual(sum(n for _, n in reasons), len(response.context["result"].excluded))
        self.assertEqual(
            {r for r, _ in reasons}, {e.reason for e in response.context["result"].excluded}
        )
