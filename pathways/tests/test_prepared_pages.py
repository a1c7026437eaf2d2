"""The dosing record's, the EMDR and client pages' and the chart header's reads moved to
SQL compiled once (common.prepared; issue 14, 2026-12-04) give what the ORM queries
they replaced gave: the same rows, in the same order, with the same related objects
loaded, each in one query from the same tables. A change to one side alone fails here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.prepared import with_parent
from consents import facts as consent_facts
from consents.models import SignedConsent
from dosing import queries as record_reads
from dosing import summary
from dosing.models import (
    Addendum,
    AdverseEvent,
    Discharge,
    PrescriberContact,
    SessionNote,
    VitalSigns,
)
from dosing.tests.support import add_vitals, cleared, give_dose, open_record, revise
from partners import queries as partner_queries
from partners.models import ReferralEvent, Step
from pathways.testing import BaseTestCase, make_signed_consent
from prescriptions import panels as rx_panels
from prescriptions import queries as rx_reads
from prescriptions.models import Prescription, RxStatus
from treatment import facts as treatment_facts
from treatment.models import SessionKind, SessionStatus
from treatment.tests.factories import make_course, make_session


def _state(obj: Any, seen: frozenset[int] = frozenset()) -> Any:
    """An object's fields and the related objects loaded with it, as plain values (an
    object met again on the way down, a row's record, say, by its name and key)."""
    if not isinstance(obj, Model):
        return obj
    if id(obj) in seen:
        return (type(obj).__name__, obj.pk)
    fields = {k: v for k, v in vars(obj).items() if k != "_state"}
    below = seen | {id(obj)}
    loaded = {k: _state(v, below) for k, v in obj._state.fields_cache.items()}
    return (type(obj).__name__, fields, loaded)


def _from(sql: str) -> str:
    return sql.split(" FROM ", 1)[1].split(" WHERE ", 1)[0]


def _order(sql: str) -> str:
    tail = sql.rsplit(" ORDER BY ", 1)
    return tail[1] if len(tail) == 2 else ""


class PreparedPageReadsTests(BaseTestCase):
    def same(self, old: Callable[[], Any], new: Callable[[], Any]) -> Any:
        with CaptureQueriesContext(connection) as was:
            expected = old()
            expected_state = (
                [_state(o) for o in expected] if isinstance(expected, list) else _state(expected)
            )
        with CaptureQueriesContext(connection) as is_:
            got = new()
            got_state = [_state(o) for o in got] if isinstance(got, list) else _state(got)
        self.assertEqual(got_state, expected_state)
        self.assertEqual(len(was.captured_queries), 1)
        self.assertEqual(len(is_.captured_queries), 1)
        old_sql, new_sql = was.captured_queries[0]["sql"], is_.captured_queries[0]["sql"]
        self.assertEqual(_from(new_sql), _from(old_sql))
        self.assertEqual(_order(new_sql), _order(old_sql))
        return got

    def test_it_reads_the_dosing_records_page_as_its_relations_did(self) -> None:
        _ready, record = open_record(self.therapist, self.prescriber, self.partner)
        empty_note = self.same(
            lambda: (
                SessionNote.objects.filter(session=record.session)
                .select_related("author", "signed_by")
                .first()
            ),
            lambda: found[0] if (found := record_reads._note(session=record.session_id)) else None,
        )
        self.assertIsNone(empty_note)
        cleared(record, self.therapist, minutes_ago=80)
        give_dose(record, self.therapist, self.admin, minutes_ago=75)
        for minutes in (70, 50, 30):
            add_vitals(record, self.therapist, phase="monitoring", minutes_ago=minutes)
        now = timezone.now()
        for hours in (1, 2):
            PrescriberContact.objects.create(
                record=record,
                contacted_at=now - dt.timedelta(hours=hours),
                prescriber_name="Dr <b>",
                instruction="Proceed & recheck",
                proceed=True,
                recorded_by=self.therapist,
            )
            AdverseEvent.objects.create(
                record=record,
                type=AdverseEvent.Type.choices[0][0],
                severity=AdverseEvent.Severity.choices[0][0],
                occurred_at=now - dt.timedelta(minutes=hours),
                recorded_by=self.admin,
            )
        Discharge.objects.create(
            record=record,
            vitals_within_parameters=True,
            alert_and_oriented=True,
            walks_steadily=True,
            escort_present=True,
            discharged_at=now,
            discharged_by=self.admin,
        )
        note = SessionNote.objects.create(session=record.session, author=self.therapist, data="d")
        for text in ("first", "second"):
            Addendum.objects.create(note=note, text=text, author=self.admin)

        self.same(
            lambda: (
                Discharge.objects.filter(record=record).select_related("discharged_by").first()
            ),
            lambda: record_reads._discharge(record=record.pk)[0],
        )
        self.same(
            lambda: (
                SessionNote.objects.filter(session=record.session)
                .select_related("author", "signed_by")
                .first()
            ),
            lambda: record_reads._note(session=record.session_id)[0],
        )
        contacts = self.same(
            lambda: list(record.prescriber_contacts.select_related("recorded_by")),
            lambda: with_parent(record_reads._contacts(record=record.pk), "record", record),
        )
        events = self.same(
            lambda: list(record.adverse_events.select_related("recorded_by")),
            lambda: with_parent(record_reads._events(record=record.pk), "record", record),
        )
        self.same(
            lambda: list(note.addenda.select_related("author")),
            lambda: record_reads.addenda_of(note),
        )
        self.same(
            lambda: list(record.vitals.select_related("recorded_by").all()),
            lambda: with_parent(summary._vitals(record=record.pk), "record", record),
        )
        given = self.same(
            lambda: list(
                record.administrations.select_related("given_by", "witnessed_by", "prescription")
            ),
            lambda: summary.administrations(record),
        )
        self.same(
            lambda: record.__class__.objects.get(pk=record.pk), lambda: record_reads.fresh(record)
        )
        # Each row has its record, as the relation gave it, without a query.
        with self.assertNumQueries(0):
            for row in [*contacts, *events, *given]:
                self.assertIs(row.record, record)
        self.assertEqual(len(contacts), 2)
        self.assertEqual(len(events), 2)
        self.assertGreaterEqual(VitalSigns.objects.filter(record=record).count(), 3)

    def test_it_reads_a_prescription_chain_as_before(self) -> None:
        _ready, record = open_record(self.therapist, self.prescriber, self.partner)
        first = record.prescription
        second = revise(self.prescriber, first, dose_mg=first.dose_mg - 5)
        third = revise(self.prescriber, second, dose_mg=first.dose_mg - 10)
        for rx in (first, second, third):
            newest = self.same(
                partial(lambda p: p.chain_versions().order_by("-version", "-id").first() or p, rx),
                partial(rx_reads.current_version, rx),
            )
            self.assertEqual(newest.pk, third.pk)
            in_order = self.same(
                partial(lambda p: list(p.chain_versions().order_by("created_at", "version")), rx),
                partial(rx_reads.versions_by_time, rx),
            )
            self.assertEqual([v.pk for v in in_order], [first.pk, second.pk, third.pk])

    def test_it_reads_the_chart_headers_course_and_consents_as_before(self) -> None:
        ready, _record = open_record(self.therapist, self.prescriber, self.partner)
        client, course = ready.client, ready.session.course
        make_course(client, self.therapist)
        later = make_session(course, SessionKind.INTEGRATION)
        make_session(course, SessionKind.DOSING, status=SessionStatus.CANCELLED)
        make_signed_consent(client, "roi", partner=self.partner)
        self.same(
            lambda: list(client.courses.order_by("-created_at", "-pk")),
            lambda: treatment_facts.client_courses(client),
        )
        upcoming = self.same(
            lambda: (
                course.sessions.filter(status__in=treatment_facts._OPEN)
                .order_by("planned_date", "pk")
                .first()
            ),
            lambda: treatment_facts.upcoming_session(course),
        )
        self.assertIn(upcoming.pk, {ready.session.pk, later.pk})
        consents = self.same(
            lambda: list(
                SignedConsent.objects.in_force()
                .filter(client=client)
                .select_related("partner")
                .order_by("signed_at", "pk")
            ),
            lambda: consent_facts._in_force(client=client.pk),
        )
        self.assertGreaterEqual(len(consents), 2)

    def test_it_reads_the_portal_referrals_history_and_prescriptions_as_before(self) -> None:
        _ready, record = open_record(self.therapist, self.prescriber, self.partner)
        first = record.prescription
        revise(self.prescriber, first, dose_mg=first.dose_mg - 5)
        referral = first.referral
        assert referral is not None
        ReferralEvent.objects.create(referral=referral, by=self.prescriber, step=Step.SCHEDULED)
        ReferralEvent.objects.create(referral=referral, by=self.therapist, step=Step.CLOSED)
        events = self.same(
            lambda: list(referral.events.select_related("by__partner_membership__partner")),
            partial(partner_queries.referral_events, referral),
        )
        self.assertGreaterEqual(len(events), 2)
        versions = self.same(
            lambda: list(
                Prescription.objects.filter(referral=referral)
                .select_related("prescriber")
                .order_by("-created_at", "-id")
            ),
            lambda: rx_panels._versions_of_referral(referral=referral.pk),
        )
        self.assertEqual(len(versions), 2)
        for client_id in (referral.client_id, 0):
            self.same(
                partial(
                    lambda c: (
                        Prescription.objects.filter(client_id=c, status=RxStatus.ACTIVE)
                        .order_by("-created_at", "-id")
                        .first()
                    ),
                    client_id,
                ),
                partial(rx_reads.active_chain_for, client_id),
            )
