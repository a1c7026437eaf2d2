"""A therapist's Today sections through SQL compiled once (pathways.today `_own_*`,
common.prepared): the same SQL and parameters as the ORM's sections for a therapist
without emergency access, and the same rows; with a grant, the ORM's own."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

from django.db.models import QuerySet
from django.utils import timezone

from common.sections import first_rows_query
from pathways import today
from pathways.testing import BaseTestCase, make_client, make_grant, name_for_break_glass
from pathways.tests.support import add_work
from pathways.today import LIMIT, OVERDUE_DAYS, today_for
from scheduling.tests.factories import make_appointment


def _sql(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = first_rows_query(qs, LIMIT).query.sql_with_params()
    return sql, list(params)


class TodayPreparedTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.mine = add_work(self.therapist, self.prescriber, self.partner, n=2, first_name="Mina")
        add_work(self.therapist2, self.prescriber, self.partner, n=1, first_name="Otto", hour=7)

    def test_it_sends_the_orms_sql_for_each_section(self) -> None:
        user, now = self.therapist, timezone.now()
        since = now - dt.timedelta(days=OVERDUE_DAYS)
        pairs = [
            (today._own_notes.sql_with_params(user=user.pk), _sql(today.notes_to_sign(user))),
            (
                today._own_consents.sql_with_params(user=user.pk, now=now),
                _sql(today._mine(user, today._consents(now))),
            ),
            (
                today._own_measures.sql_with_params(user=user.pk, now=now, since=since),
                _sql(today.measures_due(user, now)),
            ),
            (
                today._own_referrals.sql_with_params(user=user.pk),
                _sql(today.referrals_waiting(user)),
            ),
        ]
        for prepared, orm in pairs:
            self.assertEqual(prepared, orm)

    def sections(self) -> dict[str, list[int]]:
        return {s.key: [row.pk for row in s.rows] for s in today_for(self.therapist).sections}

    def test_it_shows_the_orms_rows(self) -> None:
        prepared = self.sections()
        with mock.patch.object(today, "_therapists", return_value=None):
            orm = self.sections()
        self.assertEqual(prepared, orm)
        self.assertEqual(len(prepared["notes"]), len(self.mine.notes))
        self.assertTrue(all(prepared[key] for key in ("notes", "consents", "measures")))

    def test_it_leaves_a_therapist_with_emergency_access_to_the_orm(self) -> None:
        therapist = name_for_break_glass(self.therapist)
        client = make_client(first_name="Gita", last_name="Granted")
        make_appointment(client, self.therapist2, timezone.now())
        make_grant(therapist, client)
        with mock.patch.object(today, "_own_notes", side_effect=AssertionError):
            today_for(therapist)
