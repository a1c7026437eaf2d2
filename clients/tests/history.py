"""A client's history across the apps whose panels the chart shows (appointments, a
KA-EMDR course with dosing and EMDR records, EMDR appointments with their own records,
measures), made with each app's factories, for the tests that count the chart's
queries. `add_history(..., times=n)` adds n of each, so a test can compare a client
with little data and one with much."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from bls.models import EmdrRecord, Phase
from bls.tests.support import (
    add_set,
    give,
    make_dosing_record,
    make_emdr_appointment,
    make_emdr_session,
    mark,
    take_vitals,
)
from clients.models import Client
from dosing.models import Addendum, SessionNote
from measures.tests.factories import make_instrument, make_response
from partners.models import Partner
from scheduling.models import AppointmentStatus
from scheduling.tests.factories import make_appointment
from treatment.models import SessionKind, SessionStatus, TreatmentCourse
from treatment.tests.factories import make_session


def start_history(
    client: Client, therapist: User, prescriber: User, partner: Partner
) -> TreatmentCourse:
    """A KA-EMDR course in progress for `client` (referral, prescription, consent,
    a dosing session with its EMDR record): every panel of the chart has something."""
    emdr = make_emdr_session(therapist, prescriber, partner, client=client)
    give(emdr.session, therapist, emdr.start + dt.timedelta(minutes=5))
    take_vitals(emdr.session, therapist, emdr.start + dt.timedelta(minutes=10))
    mark(emdr.record, Phase.ASSESSMENT, emdr.start + dt.timedelta(minutes=1), therapist)
    return emdr.session.course


def add_history(client: Client, course: TreatmentCourse, therapist: User, *, times: int) -> None:
    """`times` more of everything: appointments, EMDR appointments with a record and
    phase marks and sets, completed dosing sessions with vitals and a signed note with
    an addendum, measure responses."""
    now = timezone.now().replace(microsecond=0)
    instrument = make_instrument()
    prescription = course.sessions.exclude(prescription=None).first()
    assert prescription is not None
    for n in range(times):
        at = now - dt.timedelta(days=7 * (n + 2))
        make_appointment(client, therapist, at, status=AppointmentStatus.COMPLETED)
        make_appointment(client, therapist, now + dt.timedelta(days=n + 1))
        appointment = make_emdr_appointment(client, therapist, at + dt.timedelta(days=1))
        record = EmdrRecord.objects.create(appointment=appointment, created_by=therapist)
        for phase in (Phase.ASSESSMENT, Phase.DESENSITISATION, Phase.CLOSURE):
            mark(record, phase, at + dt.timedelta(days=1, minutes=int(phase)), therapist)
        add_set(record, 1, at + dt.timedelta(days=1, minutes=30), therapist, sud=4)
        session = make_session(
            course,
            SessionKind.DOSING,
            status=SessionStatus.COMPLETED,
            started_at=at,
            completed_at=at + dt.timedelta(hours=2),
            started_by=therapist,
            prescription=prescription.prescription,
        )
        make_dosing_record(session, therapist)
        give(session, therapist, at + dt.timedelta(minutes=5))
        take_vitals(session, therapist, at + dt.timedelta(minutes=20))
        note = SessionNote.objects.create(
            session=session,
            author=therapist,
            data="Settled.",
            signed_at=at + dt.timedelta(hours=3),
            signed_by=therapist,
        )
        Addendum.objects.create(note=note, text="Called the next day.", author=therapist)
        make_response(client, instrument, answered_at=at)
