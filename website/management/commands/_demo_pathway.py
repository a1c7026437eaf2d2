"""The KAP pathway part of the demo practice: partner, consents, referral, prescription, course.

Written straight to the models (as a data import would), not through the
audited services: nothing here happened to a real person.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role, User
from clients.models import Client, Diagnosis, ReportedMedication
from consents.models import ConsentDocument, ConsentKind, SignedConsent
from consents.services import consent_documents_install_defaults
from partners.models import Partner, Referral, ReferralEvent, ReferralStatus, Step
from partners.prescreen import ITEM_LABELS
from prescriptions.models import Prescription, Route
from scheduling.models import DEFAULT_MINUTES, Appointment, AppointmentType, Room, WorkingHours
from treatment.models import (
    Modality,
    SessionKind,
    SessionStatus,
    TreatmentCourse,
    TreatmentSession,
)

# ICD-10-CM titles (CMS ICD-10-CM tabular list).
MDD = "Major depressive disorder, recurrent, moderate"
PTSD = "Post-traumatic stress disorder, unspecified"


def _sign(client: Client, kind: str, partner: Partner | None = None) -> SignedConsent:
    document = ConsentDocument.latest(kind)
    assert document is not None  # noqa: S101 (installed just before)
    return SignedConsent.objects.create(
        client=client,
        document=document,
        partner=partner,
        typed_name=client.full_name,
        agreed=True,
        signed_at=timezone.now() - dt.timedelta(days=20),
        ip="127.0.0.1",
        document_sha256=document.sha256,
        title_signed=document.title,
        body_signed=document.body,
    )


def _seed_schedule(users: dict[str, User], client: Client, dosing: TreatmentSession) -> None:
    """Rooms, the therapist's working week, and today's dosing appointment."""
    therapist = users[Role.THERAPIST]
    suite = Room.objects.create(name="Room 1 (dosing suite)")
    Room.objects.create(name="Room 2")
    for weekday in range(5):
        WorkingHours.objects.create(
            clinician=therapist, weekday=weekday, start=dt.time(9), end=dt.time(17)
        )
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(10)))
    Appointment.objects.create(
        client=client,
        clinician=therapist,
        room=suite,
        type=AppointmentType.KAP_DOSING,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=DEFAULT_MINUTES[AppointmentType.KAP_DOSING]),
        session=dosing,
        created_by=users[Role.INTAKE],
    )


def seed_pathway(users: dict[str, User], partner: Partner) -> None:
    consent_documents_install_defaults()
    therapist, prescriber = users[Role.THERAPIST], users[Role.PRESCRIBER]
    now = timezone.now()
    today = timezone.localdate()

    # Morgan Ellis: evaluated eligible, prescribed, consented, one preparation
    # session done and a dosing session planned today (the gate waits for the escort).
    morgan = Client.objects.get(first_name="Morgan", last_name="Ellis")
    Client.objects.filter(pk=morgan.pk).update(
        date_of_birth=dt.date(1984, 3, 14),
        escort_name="Riley Ellis",
        escort_relationship="Partner",
        escort_phone="(555) 010-0188",
        emergency_contact_name="Riley Ellis",
        emergency_contact_relationship="Partner",
        emergency_contact_phone="(555) 010-0188",
    )
    Diagnosis.objects.create(
        client=morgan,
        code="F33.1",
        description=MDD,
        added_by=therapist,
    )
    ReportedMedication.objects.create(
        client=morgan, name="Sertraline", dose="100 mg", frequency="daily"
    )
    release = _sign(morgan, ConsentKind.ROI, partner)
    _sign(morgan, ConsentKind.KAP)
    referral = Referral.objects.create(
        client=morgan,
        partner=partner,
        referred_by=therapist,
        release=release,
        reason="Depression with little relief from two antidepressant trials; interested in KAP.",
        diagnoses=[
            {"code": "F33.1", "description": "Major depressive disorder, recurrent, moderate"}
        ],
        medications=["Sertraline 100 mg daily"],
        prescreen=dict.fromkeys(ITEM_LABELS, "no"),
        status=ReferralStatus.ELIGIBLE,
        evaluation_at=now - dt.timedelta(days=10),
    )
    ReferralEvent.objects.create(referral=referral, step=Step.SENT, by=therapist)
    ReferralEvent.objects.create(
        referral=referral, step=Step.SCHEDULED, by=prescriber, evaluation_at=referral.evaluation_at
    )
    ReferralEvent.objects.create(referral=referral, step=Step.ELIGIBLE, by=prescriber)
    rx = Prescription.objects.create(
        client=morgan,
        referral=referral,
        prescriber=prescriber,
        route=Route.SUBLINGUAL,
        dose_mg=Decimal("200"),
        sessions_authorised=6,
        valid_from=today - dt.timedelta(days=7),
        valid_to=today + dt.timedelta(days=120),
        holds_instructions="No benzodiazepines for 24 hours before; no stimulants that day.",
        fasting_instructions="No food for 4 hours before the session.",
        max_systolic=140,
        max_diastolic=90,
        hr_min=50,
        hr_max=110,
        spo2_min=94,
    )
    course = TreatmentCourse.objects.create(
        client=morgan,
        modality=Modality.KAP,
        goals="Lift mood; reconnect with activities; make meaning of the sessions in integration.",
        created_by=therapist,
    )
    TreatmentSession.objects.create(
        course=course,
        kind=SessionKind.PREPARATION,
        planned_date=today - dt.timedelta(days=5),
        status=SessionStatus.COMPLETED,
        started_at=now - dt.timedelta(days=5),
        completed_at=now - dt.timedelta(days=5) + dt.timedelta(hours=1),
        started_by=therapist,
    )
    dosing = TreatmentSession.objects.create(
        course=course, kind=SessionKind.DOSING, planned_date=today
    )
    del rx
    _seed_schedule(users, morgan, dosing)

    # Jamie Fox: referred for KA-EMDR, waiting for the partner to schedule.
    jamie = Client.objects.get(first_name="Jamie", last_name="Fox")
    release = _sign(jamie, ConsentKind.ROI, partner)
    referral = Referral.objects.create(
        client=jamie,
        partner=partner,
        referred_by=therapist,
        release=release,
        reason="PTSD after a car accident; EMDR progress has stalled; exploring KA-EMDR.",
        diagnoses=[
            {"code": "F43.10", "description": "Post-traumatic stress disorder, unspecified"}
        ],
        prescreen={**dict.fromkeys(ITEM_LABELS, "no"), "hypertension": "unknown"},
    )
    ReferralEvent.objects.create(referral=referral, step=Step.SENT, by=therapist)


def _answers_totalling(definition: dict, total: int) -> dict[int, int]:
    top = max(option["value"] for option in definition["options"])
    answers = {}
    for item in definition["items"]:
        value = min(top, total)
        answers[item["number"]] = value
        total -= value
    return answers


def seed_scores() -> None:
    """PHQ-9 and GAD-7 for Morgan Ellis: a baseline and two follow-ups, for the charts."""
    from measures.models import Instrument, Response, Source
    from measures.scoring import score

    morgan = Client.objects.get(first_name="Morgan", last_name="Ellis")
    now = timezone.now()
    for code, totals in (("phq9", (19, 14, 9)), ("gad7", (15, 11, 8))):
        instrument = Instrument.objects.get(code=code)
        for days_ago, total in zip((40, 20, 2), totals, strict=True):
            answers = _answers_totalling(instrument.definition, total)
            # Item 9 (self-harm) stays 0 in the demo: no safety alert to acknowledge.
            scored = score(instrument.definition, answers)
            Response.objects.create(
                client=morgan,
                instrument=instrument,
                definition_version=instrument.version,
                source=Source.LINK,
                answers={str(k): v for k, v in answers.items()},
                total=scored.total,
                band_key=scored.band_key,
                band_label=scored.band_label,
                answered_at=now - dt.timedelta(days=days_ago),
            )
