"""The client's outcome chart (issue 11): an x-axis of dates a person reads, ticks
that never overlap over six months, and the safety item (PHQ-9 item 9) marked on
each score that answered it above 0, with a legend entry and the table listing it."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET

from clients.models import Client
from measures.models import Instrument, Response
from measures.outcomes import charts
from measures.tests.factories import day, load_instruments, make_score
from pathways.testing import BaseTestCase, make_client

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> str:
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG
    return " ".join("".join(el.itertext()) for el in root.iter(f"{SVG}text"))


def with_item9(response: Response, value: int) -> Response:
    """The same response with item 9 answered `value` (the total is kept: only the
    marker is under test)."""
    answers = dict(response.answers)
    answers["9"] = value
    Response.objects.filter(pk=response.pk).update(answers=answers)
    return response


class DateTicksTests(BaseTestCase):
    def test_it_labels_days_as_a_person_writes_them_with_the_month_once(self) -> None:
        ticks = charts.date_ticks(dt.date(2026, 11, 8), dt.date(2026, 12, 20))

        labels = [label for _, label in ticks]
        self.assertEqual(labels[0], "9 Nov 2026")
        self.assertIn("7 Dec", labels)
        self.assertEqual([lb for lb in labels if "Nov" in lb], ["9 Nov 2026"])
        self.assertEqual([lb for lb in labels if "Dec" in lb], ["7 Dec"])
        self.assertTrue(all("-" not in lb for lb in labels))

    def test_it_labels_six_months_by_month_names_with_the_year_where_it_changes(self) -> None:
        ticks = charts.date_ticks(dt.date(2026, 8, 10), dt.date(2027, 2, 5))

        self.assertEqual(
            [label for _, label in ticks], ["Sep 2026", "Oct", "Nov", "Dec", "Jan 2027", "Feb"]
        )

    def test_it_never_gives_more_ticks_than_fit(self) -> None:
        first = dt.date(2026, 1, 1)
        for days in (0, 1, 5, 13, 30, 61, 100, 121, 200, 400, 800, 3000):
            with self.subTest(days=days):
                ticks = charts.date_ticks(first, first + dt.timedelta(days=days))
                self.assertLessEqual(len(ticks), charts.MAX_TICKS)
                self.assertGreaterEqual(len(ticks), 1 if days < 31 else 2)
                self.assertEqual(len({d for d, _ in ticks}), len(ticks))


class ClientChartDatesAndFlagsTests(BaseTestCase):
    record: Client
    phq9: Instrument

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.record = make_client(assigned_therapist=cls.therapist)
        cls.phq9 = Instrument.objects.get(code="phq9")

    def six_months(self, item9: dict[int, int] | None = None) -> list[Response]:
        """A score every two weeks for six months, item 9 answered 0 unless `item9`
        names the index of the score and its answer."""
        start = day(2026, 6, 1)
        made = []
        for i in range(13):
            response = make_score(
                self.record, "phq9", max(4, 20 - i), start + dt.timedelta(days=14 * i)
            )
            with_item9(response, (item9 or {}).get(i, 0))
            made.append(response)
        return made

    def test_it_reads_the_x_axis_as_dates_with_no_offset_text(self) -> None:
        self.six_months()

        words = texts(charts.client_instrument_svg(self.record, self.phq9))

        for month in ("Jun 2026", "Jul", "Aug", "Sep", "Oct", "Nov"):
            self.assertIn(month, words)
        self.assertNotIn("2026-", words)
        self.assertNotIn("-Dec", words)

    def test_its_tick_labels_do_not_overlap_over_six_months(self) -> None:
        self.six_months()

        drawn = charts.client_instrument_figure(self.record, self.phq9)

        assert not isinstance(drawn, str)
        figure, _ = drawn
        figure.draw_without_rendering()
        ax = figure.axes[0]
        boxes = sorted(
            (label.get_window_extent() for label in ax.get_xticklabels() if label.get_text()),
            key=lambda box: box.x0,
        )
        self.assertGreaterEqual(len(boxes), 5)
        for left, right in itertools.pairwise(boxes):
            self.assertLess(left.x1, right.x0)

    def test_it_marks_each_score_whose_item_9_is_above_0(self) -> None:
        self.six_months(item9={3: 1, 7: 2})

        svg = charts.client_instrument_svg(self.record, self.phq9)

        words = texts(svg)
        self.assertIn("Item 9 above 0 (safety item)", words)  # the legend entry
        root = ET.fromstring(svg)  # noqa: S314
        title = root.find(f"{SVG}title")
        assert title is not None
        assert title.text is not None
        self.assertIn(
            "Item 9 above 0 (safety item) on 2 date(s): 2026-07-13, 2026-09-07", title.text
        )

    def test_it_marks_nothing_when_item_9_is_0_everywhere(self) -> None:
        self.six_months()

        svg = charts.client_instrument_svg(self.record, self.phq9)

        self.assertNotIn("safety item", svg)
        self.assertNotIn("Item 9", svg)

    def test_the_table_and_the_measures_tab_list_the_marked_scores(self) -> None:
        self.six_months(item9={3: 1})
        self.client.force_login(self.therapist)

        page = self.client.get(f"/staff/measures/outcomes/client/{self.record.pk}/")
        tab = self.client.get(f"/staff/clients/{self.record.pk}/measures/")

        self.assertContains(page, "Item 9: 1 (above 0)", count=1)
        self.assertContains(page, "marked by a triangle, on 13 Jul 2026")
        self.assertContains(
            tab, "item 9 above 0 (safety item), marked by a triangle, on 13 Jul 2026 (1)"
        )

    def test_a_change_of_item_9_changes_the_chart_version(self) -> None:
        made = self.six_months()
        before = charts.chart_version(self.record, self.phq9)

        with_item9(made[0], 2)

        self.assertNotEqual(before, charts.chart_version(self.record, self.phq9))
