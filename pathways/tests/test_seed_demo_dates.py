"""The demo's dates agree with each other: walk every client's record and check that
what must come first does (issue 11: the demo had "a referral sent after its
evaluation")."""

from __future__ import annotations

import datetime as dt
import io
from itertools import pairwise
from typing import Any
from unittest import mock

from django.core.management import call_command
from django.db.models import Model, QuerySet
from django.utils import timezone

from accounts.models import User
from amendments.models import AmendmentRequest
from bls.models import EmdrRecord
from clients.models import BreakGlassGrant, Client, Diagnosis
from consents.models import ConsentRequest, SignedConsent
from dosing.models import DosingRecord
from intake.models import AppointmentRequest
from measures.models import MeasureLink, Response, SafetyAlert, Source
from partners.models import Disclosure, DisclosureKind, Referral, Step
from pathways.testing import BaseTestCase
from prescriptions.models import Prescription
from scheduling.models import Appointment
from treatment.models import SessionKind, SessionStatus, TreatmentCourse, TreatmentSession
from website.models import Service

DECISIONS = (Step.ELIGIBLE, Step.NOT_ELIGIBLE, Step.NEEDS_INFO)
# What happens to a client, and when: none of it before the client's record was made.
CLIENT_DATES: list[tuple[type[Model], str]] = [
    (Diagnosis, "added_at"),
    (SignedConsent, "signed_at"),
    (ConsentRequest, "created_at"),
    (Referral, "sent_at"),
    (Response, "answered_at"),
    (Response, "created_at"),
    (MeasureLink, "created_at"),
    (TreatmentCourse, "created_at"),
    (Appointment, "starts_at"),
    (Prescription, "created_at"),
    (AmendmentRequest, "created_at"),
    (BreakGlassGrant, "started_at"),
    (SafetyAlert, "raised_at"),
]


def _records(model: type[Model], field: str, client: Client) -> QuerySet[Any]:
    records = model._default_manager.filter(client=client)
    if model is Response and field == "answered_at":
        # A previous provider's scores, imported from its FHIR file, were answered before
        # the client came to the practice; they were stored after (created_at, above).
        records = records.exclude(source=Source.FHIR)
    return records


def seed_once() -> None:
    User.objects.all().delete()
    Service.objects.all().delete()
    call_command("seed_demo", stdout=io.StringIO())


# The demo is moved ten days after it was seeded. Seeded at the real time: a field
# whose default is `timezone.now` (Disclosure.at) took the function before any mock.
MOVED_AFTER = dt.timedelta(days=10)


def first_dose_at(referral: Referral) -> dt.datetime | None:
    sessions = TreatmentSession.objects.filter(
        course__client=referral.client, kind=SessionKind.DOSING, started_at__isnull=False
    ).order_by("started_at")
    first = sessions.first()
    return first.started_at if first else None


class SeedDemoDatesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.seed_the_demo()

    @classmethod
    def seed_the_demo(cls) -> None:
        seed_once()

    def test_it_dates_every_record_of_a_client_after_the_client_was_created(self) -> None:
        for client in Client.objects.all():
            created = client.created_at
            dated = [
                (model.__name__, when)
                for model, field in CLIENT_DATES
                for when in _records(model, field, client).values_list(field, flat=True)
            ]
            for what, when in dated:
                assert when is not None
                assert created <= when, (client.full_name, what, created, when)

    def test_it_receives_each_converted_request_before_its_client_is_created(self) -> None:
        converted = AppointmentRequest.objects.filter(client__isnull=False).select_related(
            "client"
        )
        assert converted.exists()
        for request in converted:
            assert request.client is not None
            assert request.created_at <= request.client.created_at

    def test_it_keeps_every_referral_in_order(self) -> None:
        for referral in Referral.objects.select_related("release", "client"):
            name = referral.client.full_name
            events = list(referral.events.order_by("pk"))
            # Release signed ≤ referral sent, and the thread in time order from "sent".
            assert referral.release.signed_at <= referral.sent_at, name
            assert events[0].step == Step.SENT
            assert events[0].at == referral.sent_at, name
            assert all(a.at <= b.at for a, b in pairwise(events)), name
            assert referral.updated_at >= events[-1].at, name
            if referral.evaluation_at is not None:
                # Sent ≤ evaluation booked ≤ evaluation ≤ the prescriber's decision.
                assert referral.sent_at <= referral.evaluation_at, name
                booked = [e for e in events if e.step == Step.SCHEDULED]
                assert booked, name
                assert booked[-1].at <= referral.evaluation_at, name
                for event in events:
                    if event.step in DECISIONS:
                        assert referral.evaluation_at <= event.at, (name, event.step)
            rx = Prescription.objects.filter(referral=referral).order_by("version")
            for version in rx:
                # Evaluation ≤ prescription ≤ first dosing session.
                assert referral.evaluation_at is not None
                assert referral.evaluation_at <= version.created_at, name
            first, dose = rx.first(), first_dose_at(referral)
            if first is not None and dose is not None:
                assert first.created_at <= dose, name
                assert first.valid_from <= timezone.localdate(dose), name

    def test_it_keeps_every_session_within_its_course_and_its_appointment(self) -> None:
        for session in TreatmentSession.objects.select_related("course__client"):
            name = session.course.client.full_name
            assert session.planned_date is not None, name
            assert timezone.localdate(session.course.created_at) <= session.planned_date, name
            if session.started_at is not None:
                assert session.course.created_at <= session.started_at, name
                assert timezone.localdate(session.started_at) == session.planned_date, name
            if session.status == SessionStatus.COMPLETED:
                assert session.started_at is not None
                assert session.completed_at is not None
                assert session.started_at < session.completed_at, name
                assert session.completed_at < timezone.now(), name
            appointment = Appointment.objects.filter(session=session).first()
            if appointment is not None:
                assert timezone.localdate(appointment.starts_at) == session.planned_date, name
                assert appointment.created_at <= appointment.starts_at, name
        # A dosing session comes after a completed preparation session of its course.
        for session in TreatmentSession.objects.filter(
            kind=SessionKind.DOSING, started_at__isnull=False
        ):
            assert session.course.sessions.filter(
                kind=SessionKind.PREPARATION, completed_at__lt=session.started_at
            ).exists()

    def test_it_keeps_every_dosing_record_within_its_session(self) -> None:
        for record in DosingRecord.objects.select_related("session", "discharge"):
            session = record.session
            assert session.started_at is not None
            assert session.completed_at is not None
            discharged = record.discharge.discharged_at
            assert session.started_at <= record.opened_at
            for given in record.administrations.values_list("given_at", flat=True):
                assert session.started_at < given < discharged
            for taken in record.vitals.values_list("taken_at", flat=True):
                assert session.started_at <= taken < discharged
            assert discharged <= session.completed_at
            note = session.note
            if note.signed_at is not None:
                assert session.completed_at <= note.signed_at < timezone.now()
                for added in note.addenda.values_list("created_at", flat=True):
                    assert note.signed_at < added < timezone.now()
        for emdr in EmdrRecord.objects.select_related("session"):
            assert emdr.session is not None
            marks = list(emdr.phase_marks.order_by("pk").values_list("at", flat=True))
            assert marks == sorted(marks)
            started, completed = emdr.session.started_at, emdr.session.completed_at
            assert started is not None
            assert completed is not None
            for when in [*marks, *emdr.sets.values_list("at", flat=True)]:
                assert started <= when <= completed

    def test_it_dates_alerts_disclosures_and_links_after_what_they_follow(self) -> None:
        now = timezone.now()
        for alert in SafetyAlert.objects.select_related("response"):
            assert alert.response is not None
            assert alert.raised_at == alert.response.answered_at
            if alert.acknowledged_at is not None:
                assert alert.raised_at < alert.acknowledged_at < now
        assert Response.objects.filter(answered_at__gt=now).count() == 0
        # A Bundle downloaded from the chart goes to no partner, under no release.
        exports = Disclosure.objects.filter(kind=DisclosureKind.FHIR_EXPORT)
        assert exports.exists()
        assert not exports.filter(at__gt=now).exists()
        for disclosure in Disclosure.objects.exclude(
            kind=DisclosureKind.FHIR_EXPORT
        ).select_related("release"):
            assert disclosure.release is not None
            assert disclosure.release.signed_at <= disclosure.at <= now
            referral = Referral.objects.get(pk=disclosure.object_ids["referral"])
            assert referral.sent_at <= disclosure.at
        for link in ConsentRequest.objects.all():
            assert link.created_at < now < link.expires_at  # sent, not signed, still open
        for amendment in AmendmentRequest.objects.select_related("client"):
            assert timezone.localdate(amendment.client.created_at) <= amendment.received_on
            assert amendment.decided_at is not None
            assert amendment.created_at <= amendment.decided_at < now


class SeedDemoMovedDatesTestCase(SeedDemoDatesTestCase):
    """The same checks, on a demo seeded one day and moved ten days later (the clock
    stays at the later day during the checks)."""

    moved: dt.datetime

    @classmethod
    def seed_the_demo(cls) -> None:
        seed_once()
        cls.moved = timezone.now() + MOVED_AFTER
        with mock.patch("django.utils.timezone.now", return_value=cls.moved):
            call_command("seed_demo", stdout=io.StringIO())

    def setUp(self) -> None:
        super().setUp()
        # An hour later, on the same day in the practice's zone: the checks read "today",
        # and a demo moved after 23:00 there was checked on the day after the one it was
        # moved to (seen in CI at 04:20 UTC, 23:20 in Virginia: no planned session left
        # after "today"). Never before the move itself.
        moved_day = timezone.localdate(self.moved)
        midnight = timezone.make_aware(dt.datetime.combine(moved_day, dt.time()))
        last_second = midnight + dt.timedelta(days=1, seconds=-1)
        later = max(self.moved, min(self.moved + dt.timedelta(hours=1), last_second))
        clock = mock.patch("django.utils.timezone.now", return_value=later)
        clock.start()
        self.addCleanup(clock.stop)

    def test_it_keeps_planned_sessions_off_the_weekend(self) -> None:
        today = timezone.localdate()
        planned = TreatmentSession.objects.filter(
            status=SessionStatus.PLANNED, planned_date__gt=today
        )
        assert planned.exists()
        assert all(s.planned_date.weekday() < 5 for s in planned if s.planned_date)
