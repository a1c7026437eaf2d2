"""The session timeline never fails on stored data (issue 10 §5): a set of vitals or
a dose stored with a time at the end of the calendar is left out of the picture,
which says so; the rest is drawn."""

from __future__ import annotations

import datetime as dt

from bls.charts import NOTHING_TO_DRAW, session_timeline_svg
from bls.models import Phase
from bls.tests.support import give, make_emdr_session, mark, take_vitals
from pathways.testing import BaseTestCase

YEAR_ONE = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
LAST_DAY = dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC)


class TimelineEdgeTests(BaseTestCase):
    def test_it_draws_the_session_and_says_what_was_left_out(self) -> None:
        emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        give(emdr.session, self.therapist, emdr.start + dt.timedelta(minutes=5))
        take_vitals(emdr.session, self.therapist, emdr.start + dt.timedelta(minutes=10))
        take_vitals(emdr.session, self.therapist, YEAR_ONE)
        mark(emdr.record, Phase.ASSESSMENT, LAST_DAY, self.therapist)

        svg = session_timeline_svg(emdr.record)

        self.assertIn("2 entries with a time outside the session were left out", svg)
        self.assertIn("1 set(s) of vital signs", svg)

    def test_it_says_so_when_nothing_can_be_drawn(self) -> None:
        emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        emdr.session.started_at = None
        emdr.session.save()
        take_vitals(emdr.session, self.therapist, YEAR_ONE)

        svg = session_timeline_svg(emdr.session)

        self.assertIn(NOTHING_TO_DRAW, svg)
        self.assertIn("1 entry with a time outside the session was left out", svg)

    def test_the_timeline_image_answers_200(self) -> None:
        emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        take_vitals(emdr.session, self.therapist, YEAR_ONE)
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/emdr/{emdr.record.pk}/timeline.svg")

        self.assertEqual(response.status_code, 200)
