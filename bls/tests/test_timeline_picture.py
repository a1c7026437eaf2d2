"""The EMDR record's timeline picture is drawn once per version of its data and kept in
the `pictures` cache (common.pictures, issue 14): the second request draws nothing; a
new phase mark, a set's SUD reported later or a new vital sign draws it again."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.core.cache import caches

from accounts.actor import Actor
from bls import charts, services
from bls.models import Phase
from pathways.testing import BaseTestCase

from .support import add_set, make_emdr_session, mark, take_vitals


class TimelinePictureCacheTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        caches["pictures"].clear()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record
        mark(
            self.record,
            Phase.ASSESSMENT,
            self.emdr.start + dt.timedelta(minutes=5),
            self.therapist,
        )
        self.url = f"/staff/emdr/{self.record.pk}/timeline.svg"
        self.client.force_login(self.therapist)

    def draws(self, *changes: object) -> tuple[int, list[bytes]]:
        """How many times the picture was drawn over two requests, then (after calling
        each change) two more; and the pictures served."""
        served = []
        with mock.patch.object(
            charts, "draw_session_timeline", wraps=charts.draw_session_timeline
        ) as draw:
            for _ in range(2):
                served.append(self.client.get(self.url).content)
            for change in changes:
                change()  # type: ignore[operator]
            for _ in range(2 if changes else 0):
                served.append(self.client.get(self.url).content)
        return draw.call_count, served

    def test_it_serves_the_second_request_from_the_cache(self) -> None:
        count, served = self.draws()
        self.assertEqual(count, 1)
        self.assertEqual(served[0], served[1])
        response = self.client.get(self.url)
        self.assertIn("no-store", response["Cache-Control"])

    def test_it_draws_again_after_a_new_phase_mark(self) -> None:
        at = self.emdr.start + dt.timedelta(minutes=20)
        count, served = self.draws(
            lambda: mark(self.record, Phase.DESENSITISATION, at, self.therapist)
        )
        self.assertEqual(count, 2)
        self.assertNotEqual(served[1], served[2])

    def test_it_draws_again_when_a_sets_sud_is_reported_later(self) -> None:
        # The set is edited in place (no new row): the picture still follows its data.
        logged = add_set(
            self.record, 1, self.emdr.start + dt.timedelta(minutes=25), self.therapist
        )
        report = services.SetReport(client_report="", sud=3, interweave="")
        count, served = self.draws(
            lambda: services.set_report_save(
                actor=Actor.for_user(self.therapist), entry=logged, report=report
            )
        )
        self.assertEqual(count, 2)
        self.assertNotEqual(served[1], served[2])

    def test_it_draws_again_after_a_new_vital_sign(self) -> None:
        at = self.emdr.start + dt.timedelta(minutes=30)
        count, _served = self.draws(lambda: take_vitals(self.emdr.session, self.therapist, at))
        self.assertEqual(count, 2)

    def test_it_keeps_one_entry_a_record_keyed_by_its_id_alone(self) -> None:
        self.client.get(self.url)
        at = self.emdr.start + dt.timedelta(minutes=20)
        mark(self.record, Phase.DESENSITISATION, at, self.therapist)
        self.client.get(self.url)
        cache = caches["pictures"]
        keys = list(cache._cache.keys())  # type: ignore[attr-defined]  # LocMemCache's own store
        self.assertEqual(len(keys), 1)
        self.assertTrue(keys[0].endswith(f"emdr-timeline:{self.record.pk}"), keys[0])

    def test_it_answers_404_to_another_therapist_without_drawing(self) -> None:
        self.client.force_login(self.therapist2)
        with mock.patch.object(charts, "draw_session_timeline") as draw:
            response = self.client.get(self.url)
        self.assertEqual(response.status_code, 404)
        self.assertIn("no-store", response["Cache-Control"])
        draw.assert_not_called()
