"""The reads moved to SQL compiled once (common.prepared) send the same SQL and
parameters as the ORM queries they replaced: the partner portal home's three sections,
the dosing rules' facts, a course's and a session's number (issue 14). A change to one
side alone fails here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.sections import first_rows_query
from dosing import portal_views as dosing_portal
from dosing import rules
from dosing.models import Administration, Discharge
from partners import portal_views as partner_portal
from partners.access import partner_id_of
from pathways.testing import BaseTestCase
from pathways.tests.support import add_work
from prescriptions import portal_views as rx_portal
from treatment import models as treatment_models
from treatment.models import SessionKind, SessionStatus, TreatmentCourse, TreatmentSession
from treatment.tests.factories import make_course, make_session


def _sql(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return sql, list(params)


def _from(sql: str) -> str:
    return sql.split(" FROM ", 1)[1].split(" WHERE ", 1)[0]


def _after_where(sql: str) -> str:
    """The ORDER BY and LIMIT: what follows the WHERE's last condition."""
    tail = sql.rsplit(" ORDER BY ", 1)
    return "ORDER BY " + tail[1] if len(tail) == 2 else sql.rsplit(" LIMIT ", 1)[-1]


class PreparedEquivalenceTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.work = add_work(self.therapist, self.prescriber, self.partner, n=2)

    def test_it_sends_the_portal_home_sections_sql_of_their_querysets(self) -> None:
        request: Any = RequestFactory().get("/")
        request.user = self.prescriber
        partner = partner_id_of(self.prescriber)
        assert partner is not None
        limit = partner_portal.HOME_LIMIT
        waiting = partner_portal.home_referrals(request).filter(
            status__in=partner_portal.WAITING_FOR_PRESCRIBER
        )
        self.assertEqual(
            partner_portal._waiting.sql_with_params(partner=partner),
            _sql(first_rows_query(waiting.order_by("sent_at", "id"), limit)),
        )
        today = timezone.localdate()
        last = today + dt.timedelta(days=rx_portal.EXPIRING_DAYS)
        expiring = rx_portal.expiring(request).select_related(None)
        expiring = expiring.select_related("client", "referral").only(*rx_portal.HOME_FIELDS)
        self.assertEqual(
            rx_portal._expiring.sql_with_params(partner=partner, today=today, last=last),
            _sql(first_rows_query(expiring, limit)),
        )
        week = dosing_portal.this_week(request).select_related(None)
        week = week.select_related("course__client", "prescription__referral", "dosing_record")
        start, end, monday = dosing_portal.week_bounds(today)
        self.assertEqual(
            dosing_portal._home_week.sql_with_params(
                partner=partner,
                start=start,
                end=end,
                monday=monday,
                next_monday=monday + dt.timedelta(days=7),
            ),
            _sql(first_rows_query(week.only(*dosing_portal.HOME_FIELDS), limit)),
        )

    def test_it_reads_the_dosing_facts_as_the_record_relations_did(self) -> None:
        record = self.work.records[0]
        dose = Administration.Kind.DOSE
        before: list[Callable[[], Any]] = [
            lambda: Discharge.objects.filter(record=record).exists(),
            lambda: record.administrations.filter(kind=dose).first(),
            lambda: record.administrations.order_by("-given_at", "-id").first(),
            lambda: (
                record.vitals.filter(phase__in=rules.PREDOSE_PHASES)
                .order_by("-taken_at", "-id")
                .first()
            ),
            lambda: record.vitals.order_by("-taken_at", "-id").first(),
        ]
        now: list[Callable[[], Any]] = [
            lambda: bool(rules._discharge(record=record.pk)),
            lambda: rules._of(record, rules._dose(record=record.pk)),
            lambda: rules._of(record, rules._last_administration(record=record.pk)),
            lambda: rules._of(record, rules._latest_predose(record=record.pk)),
            lambda: rules._of(record, rules._latest_vitals(record=record.pk)),
        ]
        for old, new in zip(before, now, strict=True):
            with CaptureQueriesContext(connection) as was:
                expected = old()
            with CaptureQueriesContext(connection) as is_:
                got = new()
            self.assertEqual(got, expected)
            # One query each, from the same table, in the same order, one row at most
            # (the WHERE's conditions come in another order; exists() selects 1).
            self.assertEqual(len(was.captured_queries), 1)
            self.assertEqual(len(is_.captured_queries), 1)
            old_sql, new_sql = was.captured_queries[0]["sql"], is_.captured_queries[0]["sql"]
            self.assertEqual(_from(old_sql), _from(new_sql))
            self.assertEqual(_after_where(old_sql), _after_where(new_sql))

    def test_it_numbers_courses_and_sessions_as_counting_did(self) -> None:
        # A course of three dosing sessions whose second was cancelled: the third is
        # number 2 (its replacement), the second has none.
        course = self.work.dosing[0].course
        cancelled = make_session(course, SessionKind.DOSING, status=SessionStatus.CANCELLED)
        third = make_session(course, SessionKind.DOSING)
        make_course(self.work.clients[0], self.therapist)
        for session in TreatmentSession.objects.all():
            counted = (
                TreatmentSession.objects.filter(
                    course_id=session.course_id, kind=session.kind, pk__lte=session.pk
                )
                .exclude(status=SessionStatus.CANCELLED)
                .count()
            )
            expected = None if session.status == SessionStatus.CANCELLED else counted
            self.assertEqual(session.number, expected)
        for course in TreatmentCourse.objects.all():
            counted = TreatmentCourse.objects.filter(
                client_id=course.client_id, modality=course.modality, pk__lte=course.pk
            ).count()
            self.assertEqual(course.number, counted)
        self.assertEqual((cancelled.number, third.number), (None, 2))
        self.assertEqual(TreatmentCourse.objects.filter(client=self.work.clients[0]).count(), 2)
        # No earlier row at all: no row, which number reads as 0, as count() gave.
        self.assertEqual(treatment_models._course_number(client=0, modality="kap", pk=0), [])
