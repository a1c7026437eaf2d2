"""A practice with something in every section of the Today view (pathways.today),
for the Today tests: `n` rows of each kind for the therapist, and one of each for
another therapist (which the first must not see)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import User
from clients.models import Client
from common.tokens import new_token, token_hash
from consents.models import ConsentRequest
from dosing.models import DosingRecord, SessionNote
from measures.models import MeasureLink, Reason
from partners.models import Partner, ReferralStatus
from pathways.testing import (
    make_client,
    make_consent_request,
    make_course,
    make_message,
    make_prescription,
    make_referral,
    make_request,
    make_session,
)
from scheduling.models import Appointment, AppointmentType
from scheduling.tests.factories import make_appointment
from treatment.models import SessionKind, SessionStatus, TreatmentSession


def today_at(hour: int, minute: int = 0) -> dt.datetime:
    """A time of the practice's today."""
    day = timezone.localdate()
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@dataclass
class Work:
    """What `add_work` made for one therapist."""

    clients: list[Client] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    dosing: list[TreatmentSession] = field(default_factory=list)
    records: list[DosingRecord] = field(default_factory=list)
    notes: list[SessionNote] = field(default_factory=list)
    consents: list[ConsentRequest] = field(default_factory=list)
    links: list[MeasureLink] = field(default_factory=list)


def add_work(
    therapist: User,
    prescriber: User,
    partner: Partner,
    n: int = 1,
    first_name: str = "Client",
    hour: int = 8,
) -> Work:
    """`n` clients of `therapist`, each with: a dosing session today (booked, started,
    its record open, its note unsigned), an open consent request, a measure link due,
    a referral waiting on the practice; plus an expired unanswered link (overdue)."""
    work = Work()
    now = timezone.now()
    for i in range(n):
        client = make_client(
            first_name=f"{first_name}{chr(65 + i)}",
            last_name="Today",
            assigned_therapist=therapist,
        )
        work.clients.append(client)
        referral = make_referral(client, partner, therapist, status=ReferralStatus.NEEDS_INFO)
        rx = make_prescription(referral, prescriber)
        course = make_course(client, therapist)
        session = make_session(
            course,
            SessionKind.DOSING,
            status=SessionStatus.IN_PROGRESS,
            started_at=now,
            started_by=therapist,
            prescription=rx,
        )
        work.dosing.append(session)
        record = DosingRecord.objects.create(session=session, prescription=rx, opened_by=therapist)
        work.records.append(record)
        work.appointments.append(
            make_appointment(
                client,
                therapist,
                today_at(hour + i % 10, 0 if i < 10 else 30),
                minutes=25,
                type=AppointmentType.KAP_DOSING,
                session=session,
            )
        )
        work.notes.append(
            SessionNote.objects.create(session=session, author=therapist, data="Data.")
        )
        work.consents.append(make_consent_request(client, therapist)[0])
        work.links.append(
            MeasureLink.objects.create(
                client=client,
                instruments=["phq9"],
                reason=Reason.MANUAL,
                token_hash=token_hash(new_token()),
                expires_at=now + dt.timedelta(days=3),
                created_by=therapist,
            )
        )
    return work


def add_front_desk(n: int = 1) -> None:
    """`n` new requests and `n` open messages."""
    for i in range(n):
        make_request(first_name=f"Requester{i}")
        make_message(name=f"Writer{i}")
