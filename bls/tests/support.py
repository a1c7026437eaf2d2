"""A KA-EMDR dosing session in progress, its EMDR record, and its dosing facts
(made directly through the dosing models)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import User
from bls.models import DesensitisationSet, EmdrRecord, Phase, PhaseMark
from clients.models import Client
from dosing.models import Administration, DosingRecord, VitalSigns
from partners.models import Partner
from pathways.testing import make_client
from treatment.models import Modality, SessionStatus, TreatmentSession
from treatment.tests.support import make_ready

CLIENT_FIRST, CLIENT_LAST = "Quinn", "Marlowe"


@dataclass
class Emdr:
    client: Client
    session: TreatmentSession
    record: EmdrRecord
    start: dt.datetime


def make_emdr_session(
    therapist: User, prescriber: User, partner: Partner, *, record: bool = True, **extra: Any
) -> Emdr:
    """A KA-EMDR dosing session started an hour ago (the gate is the treatment app's
    concern: the session is put in progress directly), with its EMDR record."""
    extra.setdefault(
        "client",
        make_client(first_name=CLIENT_FIRST, last_name=CLIENT_LAST, assigned_therapist=therapist),
    )
    ready = make_ready(therapist, prescriber, partner, modality=Modality.KA_EMDR, **extra)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    session = ready.session
    session.status = SessionStatus.IN_PROGRESS
    session.started_at = start
    session.started_by = therapist
    session.prescription = ready.prescription
    session.save()
    made = EmdrRecord.objects.create(session=session, created_by=therapist) if record else None
    # None only with record=False, whose callers do not read it.
    return Emdr(ready.client, session, made, start)  # type: ignore[arg-type]


def make_dosing_record(session: TreatmentSession, user: User) -> DosingRecord:
    found = DosingRecord.objects.filter(session=session).first()
    if found:
        return found
    assert session.prescription is not None
    return DosingRecord.objects.create(
        session=session, prescription=session.prescription, opened_by=user
    )


def give(
    session: TreatmentSession, user: User, at: dt.datetime, kind: str = Administration.Kind.DOSE
) -> Administration:
    return Administration.objects.create(
        record=make_dosing_record(session, user),
        kind=kind,
        dose_mg=Decimal("100"),
        route="sublingual",
        given_at=at,
        given_by=user,
        witnessed_by=user,
    )


def take_vitals(
    session: TreatmentSession,
    user: User,
    at: dt.datetime,
    bp: tuple[int, int] = (124, 80),
    hr: int = 72,
    spo2: int = 98,
) -> VitalSigns:
    return VitalSigns.objects.create(
        record=make_dosing_record(session, user),
        phase=VitalSigns.Phase.MONITORING,
        taken_at=at,
        systolic=bp[0],
        diastolic=bp[1],
        heart_rate=hr,
        spo2=spo2,
        recorded_by=user,
    )


def mark(record: EmdrRecord, phase: int, at: dt.datetime, user: User) -> PhaseMark:
    return PhaseMark.objects.create(record=record, phase=Phase(phase), at=at, by=user)


def add_set(
    record: EmdrRecord, number: int, at: dt.datetime, user: User, sud: int | None = None
) -> DesensitisationSet:
    return DesensitisationSet.objects.create(
        record=record,
        number=number,
        at=at,
        bls_type="eyes",
        speed_hz=Decimal("1.0"),
        passes=24,
        sud=sud,
        recorded_by=user,
    )


def make_emdr_appointment(
    client: Client, clinician: User, start: dt.datetime, **extra: Any
) -> Any:
    """An EMDR appointment (EMDR without ketamine)."""
    from scheduling.models import Appointment, AppointmentType

    data: dict[str, Any] = {"type": AppointmentType.EMDR}
    data.update(extra)
    return Appointment.objects.create(
        client=client,
        clinician=clinician,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
        created_by=clinician,
        **data,
    )
