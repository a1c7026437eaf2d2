"""A dosing session that is ready to start, and ways to break one condition of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from clients.models import Client
from consents.models import ConsentKind, SignedConsent
from partners.models import Partner, Referral, ReferralStatus
from pathways.testing import (
    make_client,
    make_course,
    make_prescription,
    make_referral,
    make_session,
    make_signed_consent,
)
from prescriptions.models import Prescription
from treatment.models import (
    Modality,
    SessionKind,
    SessionStatus,
    TreatmentCourse,
    TreatmentSession,
)

# The gate's conditions, in the order the page lists them.
CHECK_KEYS = ["referral", "prescription", "consent", "release", "escort", "safety", "preparation"]


@dataclass
class Ready:
    client: Client
    referral: Referral | None
    prescription: Prescription | None
    consent: SignedConsent | None
    course: TreatmentCourse
    preparation: TreatmentSession | None
    session: TreatmentSession


def make_ready(
    therapist: User,
    prescriber: User,
    partner: Partner,
    *,
    client: Client | None = None,
    modality: str = Modality.KAP,
    referral: bool = True,
    consent: bool = True,
    preparation: bool = True,
    escort: bool = True,
) -> Ready:
    """Every gate condition met, except those switched off here."""
    client = client or make_client(
        first_name="Dana", last_name="Scully", assigned_therapist=therapist
    )
    made_referral = rx = None
    if referral:
        # make_referral also signs the release of information to the partner.
        made_referral = make_referral(client, partner, therapist, status=ReferralStatus.ELIGIBLE)
        rx = make_prescription(made_referral, prescriber)
    signed = None
    if consent:
        kind = ConsentKind.KAP if modality == Modality.KAP else ConsentKind.KA_EMDR
        signed = make_signed_consent(client, kind)
    course = make_course(client, therapist, modality=modality)
    prep = None
    if preparation:
        prep = make_session(
            course,
            SessionKind.PREPARATION,
            status=SessionStatus.COMPLETED,
            started_at=timezone.now() - dt.timedelta(days=7, hours=1),
            completed_at=timezone.now() - dt.timedelta(days=7),
            started_by=therapist,
        )
    extra = {}
    if escort:
        extra = {
            "escort_name": "Walter Skinner",
            "escort_phone": "(555) 010-0150",
            "escort_confirmed_at": timezone.now(),
            "escort_confirmed_by": therapist,
        }
    session = make_session(course, SessionKind.DOSING, planned_date=timezone.localdate(), **extra)
    return Ready(client, made_referral, rx, signed, course, prep, session)


def local_datetime(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in the practice's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
