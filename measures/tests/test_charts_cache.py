"""A client's outcome chart is drawn once per version of its scores
(measures.charts_cache, common.pictures): the second call draws nothing; a new
response draws it again; each client and instrument has its own picture."""

from __future__ import annotations

from unittest import mock

from django.core.cache import caches
from django.urls import reverse

from measures import charts_cache
from measures.models import Instrument
from measures.outcomes import charts
from measures.tests.factories import day, load_instruments, make_score
from pathways.testing import BaseTestCase, make_client


class ChartsCacheTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        caches["pictures"].clear()
        load_instruments()
        self.record = make_client(first_name="Rowan", assigned_therapist=self.therapist)
        self.phq9 = Instrument.objects.get(code="phq9")
        make_score(self.record, "phq9", 20, day(2026, 1, 5))
        make_score(self.record, "phq9", 12, day(2026, 2, 5))

    def drawn(self, *calls: tuple[object, Instrument]) -> tuple[int, list[str]]:
        with mock.patch.object(
            charts, "client_instrument_svg", wraps=charts.client_instrument_svg
        ) as draw:
            served = [charts_cache.client_instrument_svg(c, i) for c, i in calls]  # type: ignore[arg-type]
        return draw.call_count, served

    def test_it_serves_the_second_request_from_the_cache(self) -> None:
        count, served = self.drawn((self.record, self.phq9), (self.record, self.phq9))
        self.assertEqual(count, 1)
        self.assertEqual(served[0], served[1])
        self.assertIn("<svg", served[0])

    def test_it_draws_again_after_a_new_response(self) -> None:
        count, before = self.drawn((self.record, self.phq9))
        make_score(self.record, "phq9", 5, day(2026, 3, 5))
        again, after = self.drawn((self.record, self.phq9), (self.record, self.phq9))
        self.assertEqual((count, again), (1, 1))
        self.assertNotEqual(before[0], after[0])

    def test_it_keeps_a_picture_per_client_and_instrument(self) -> None:
        other = make_client(first_name="Sage", assigned_therapist=self.therapist)
        make_score(other, "phq9", 20, day(2026, 1, 5))
        make_score(other, "phq9", 12, day(2026, 2, 5))
        gad7 = Instrument.objects.get(code="gad7")
        count, _ = self.drawn((self.record, self.phq9), (other, self.phq9), (self.record, gad7))
        self.assertEqual(count, 3)

    def test_it_serves_the_chart_view_from_the_cache(self) -> None:
        # The view itself goes through the cache: two page loads draw once.
        self.client.force_login(self.therapist)
        url = reverse("outcomes:client_chart", args=[self.record.pk, "phq9"])
        with mock.patch.object(
            charts, "client_instrument_svg", wraps=charts.client_instrument_svg
        ) as draw:
            first = self.client.get(url)
            second = self.client.get(url)
        self.assertEqual((first.status_code, second.status_code), (200, 200))
        self.assertEqual(draw.call_count, 1)
        self.assertEqual(first.content, second.content)
        self.assertIn("no-store", second["Cache-Control"])
