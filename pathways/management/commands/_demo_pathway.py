"""The KAP pathway part of the demo practice: Morgan Ellis and Jamie Fox.

Morgan Ellis: evaluated eligible, prescribed (version 1, then version 2 with the dose
raised after the first session), consented, prepared, one dosing session done two
weeks ago (dose, booster, mild nausea, normal discharge, signed note), an integration
session, and the next dosing session planned today (the gate waits for the escort).
Jamie Fox: referred for KA-EMDR, waiting for the partner to schedule.

Written straight to the models (as a data import would), not through the
audited services: nothing here happened to a real person.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role, User
from clients.models import Client, Diagnosis, ReportedMedication
from consents.models import ConsentKind
from consents.services import consent_documents_install_defaults
from dosing.models import Addendum
from dosing.notes import addendum_add
from intake.models import AppointmentRequest, RequestStatus, StatusChange
from partners.models import Partner, Referral, ReferralEvent, Step
from partners.prescreen import ITEM_LABELS
from pathways.management.commands._demo_common import (
    at,
    backdate,
    day_ago,
    eligible_referral,
    prescription,
    sign,
    workday,
)
from pathways.management.commands._demo_session import (
    Plan,
    Staff,
    done_session,
    past_dosing_session,
)
from prescriptions.models import Prescription, RxStatus
from scheduling.models import (
    DEFAULT_MINUTES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Room,
    WorkingHours,
)
from treatment.models import (
    CourseStatus,
    Modality,
    SessionKind,
    TreatmentCourse,
    TreatmentSession,
)
from website.models import Service

# ICD-10-CM titles (CMS ICD-10-CM tabular list).
MDD = "Major depressive disorder, recurrent, moderate"
PTSD = "Post-traumatic stress disorder, unspecified"
# Morgan's first dosing session: about two weeks ago, on a weekday.
MORGAN_DOSED_DAYS_AGO = 14
# Morgan's request came in six months ago; weekly therapy started a few days later.
MORGAN_SINCE_DAYS = 186
MORGAN_ADDENDUM = (
    "Riley called the next morning: Morgan slept well and had no nausea after leaving. "
    "Added for completeness; the note above is unchanged."
)


def morgan_dose_day() -> dt.date:
    return workday(day_ago(MORGAN_DOSED_DAYS_AGO))


def revise(rx: Prescription, written: dt.datetime, **changes: Any) -> Prescription:
    """The next version of `rx`'s chain, as prescriptions.services.prescription_revise
    writes it: a new row in the chain, the old one superseded."""
    new = Prescription.objects.get(pk=rx.pk)
    new.pk = None
    new._state.adding = True
    new.chain_id = rx.chain_root_id
    new.version = rx.version + 1
    new.status = RxStatus.ACTIVE
    for name, value in changes.items():
        setattr(new, name, value)
    new.save()
    backdate(Prescription, new.pk, created_at=written)
    rx.status = RxStatus.SUPERSEDED
    rx.save(update_fields=["status"])
    new.refresh_from_db()
    return new


def _seed_schedule(
    users: dict[str, User], client: Client, dosing: TreatmentSession, past: TreatmentSession
) -> None:
    """Rooms, the therapist's working week, the past dosing appointment and today's."""
    therapist = users[Role.THERAPIST]
    suite = Room.objects.create(name="Room 1 (dosing suite)", feed_label="Room 1")
    Room.objects.create(name="Room 2", feed_label="Room 2")
    for weekday in range(5):
        WorkingHours.objects.create(
            clinician=therapist, weekday=weekday, start=dt.time(9), end=dt.time(17)
        )
    # A past session written by _demo_session: started, completed, escort confirmed.
    assert past.started_at is not None  # noqa: S101
    assert past.completed_at is not None  # noqa: S101
    assert past.escort_confirmed_at is not None  # noqa: S101
    length = dt.timedelta(minutes=DEFAULT_MINUTES[AppointmentType.KAP_DOSING])
    booked = Appointment.objects.create(
        client=client,
        clinician=therapist,
        room=suite,
        type=AppointmentType.KAP_DOSING,
        starts_at=past.started_at,
        ends_at=max(past.started_at + length, past.completed_at),
        status=AppointmentStatus.COMPLETED,
        arrived_at=past.escort_confirmed_at,
        in_session_at=past.started_at,
        completed_at=past.completed_at,
        session=past,
        created_by=users[Role.INTAKE],
    )
    backdate(Appointment, booked.pk, created_at=past.started_at - dt.timedelta(days=10))
    start = at(timezone.localdate(), 10)
    booked = Appointment.objects.create(
        client=client,
        clinician=therapist,
        room=suite,
        type=AppointmentType.KAP_DOSING,
        starts_at=start,
        ends_at=start + length,
        session=dosing,
        created_by=users[Role.INTAKE],
    )
    # Booked at the end of the first session.
    backdate(Appointment, booked.pk, created_at=past.completed_at)


MORGAN_NOTE = (
    "Arrived with Riley (partner). Fasted 5 h from food and 3 h from clear liquids; "
    "benzodiazepines and stimulants held. C-SSRS screen negative. Baseline 122/76, HR 72. "
    "Sublingual 150 mg at 09:50, booster 50 mg at 10:35. Mild nausea at about 25 minutes, "
    "settled with ondansetron. BP highest at 40 minutes (136/85). Discharged to Riley "
    "after the observation time and the checklist; told not to drive until tomorrow.",
    "Tolerated the medicine well. Reported feeling 'lighter' and less self-critical; the "
    "effect was modest at this dose. No safety concerns.",
    "Integration session this week. Asked the prescriber to review the dose (raised to "
    "200 mg, version 2). Next dosing session in two weeks, PHQ-9 and GAD-7 the day before.",
)


def seed_pathway(users: dict[str, User], partner: Partner) -> None:
    consent_documents_install_defaults(actor=Actor.system())
    therapist, prescriber = users[Role.THERAPIST], users[Role.PRESCRIBER]
    today = timezone.localdate()
    dose_day = morgan_dose_day()

    def before(days: int, hour: int) -> dt.datetime:
        return at(dose_day - dt.timedelta(days=days), hour)

    morgan = Client.objects.get(first_name="Morgan", last_name="Ellis")
    Client.objects.filter(pk=morgan.pk).update(
        date_of_birth=dt.date(1984, 3, 14),
        escort_name="Riley Ellis",
        escort_relationship="Partner",
        escort_phone="(555) 010-0188",
        emergency_contact_name="Riley Ellis",
        emergency_contact_relationship="Partner",
        emergency_contact_phone="(555) 010-0188",
        created_at=at(day_ago(MORGAN_SINCE_DAYS), 10),
    )
    morgan.refresh_from_db()
    request = AppointmentRequest.objects.create(
        first_name=morgan.first_name,
        last_name=morgan.last_name,
        email=morgan.email,
        phone=morgan.phone,
        preferred_contact="email",
        preferred_times=["afternoon"],
        service=Service.objects.filter(slug="kap").first(),
        reason="Depression for years; two antidepressants helped only a little.",
        heard_about="search",
        consent_to_contact=True,
        not_emergency_ack=True,
        status=RequestStatus.CONVERTED,
        client=morgan,
    )
    backdate(AppointmentRequest, request.pk, created_at=at(day_ago(MORGAN_SINCE_DAYS + 2), 20))
    StatusChange.objects.create(
        request=request,
        from_status=RequestStatus.NEW,
        to_status=RequestStatus.CONVERTED,
        changed_by=users[Role.INTAKE],
    )
    diagnosis = Diagnosis.objects.create(
        client=morgan, code="F33.1", description=MDD, added_by=therapist
    )
    backdate(Diagnosis, diagnosis.pk, added_at=at(day_ago(MORGAN_SINCE_DAYS - 1), 11))
    ReportedMedication.objects.create(
        client=morgan, name="Sertraline", dose="100 mg", frequency="daily"
    )
    release = sign(morgan, ConsentKind.ROI, before(18, 11), partner)
    sign(morgan, ConsentKind.KAP, before(18, 11))
    referral = eligible_referral(
        morgan,
        partner,
        therapist,
        prescriber,
        release=release,
        sent=before(17, 12),
        evaluated=before(12, 14),
        reason="Depression with little relief from two antidepressant trials; interested in KAP.",
        diagnoses=[{"code": "F33.1", "description": MDD}],
        medications=["Sertraline 100 mg daily"],
    )
    v1 = prescription(
        referral,
        prescriber,
        before(11, 16),
        weight_kg=Decimal("72"),
        dose_mg=Decimal("150"),
        booster_mg=Decimal("50"),
        booster_after_minutes=40,
        valid_to=today + dt.timedelta(days=120),
        holds=[
            {"medication": "Benzodiazepines", "hours": 24},
            {"medication": "ADHD stimulants", "hours": 24},
        ],
        holds_instructions="Take the usual sertraline with a sip of water.",
        fasting_instructions="Water is fine until 2 hours before.",
    )
    course = TreatmentCourse.objects.create(
        client=morgan,
        modality=Modality.KAP,
        status=CourseStatus.ACTIVE,
        goals="Lift mood; reconnect with activities; make meaning of the sessions in integration.",
        created_by=therapist,
    )
    backdate(TreatmentCourse, course.pk, created_at=before(10, 15))
    done_session(
        course, SessionKind.PREPARATION, workday(dose_day - dt.timedelta(days=4)), therapist
    )
    plan = Plan(
        day=dose_day,
        dose_mg=v1.dose_mg,
        intention="To be kinder to myself, and to notice what I still enjoy.",
        note=MORGAN_NOTE,
        booster=True,
        nausea=True,
    )
    record = past_dosing_session(course, v1, Staff(therapist, users[Role.ADMIN]), plan)
    addendum = addendum_add(actor=Actor.for_user(therapist), record=record, text=MORGAN_ADDENDUM)
    backdate(Addendum, addendum.pk, created_at=at(dose_day + dt.timedelta(days=1), 9, 40))
    # After the first session the prescriber raised the dose: version 2 governs today.
    revise(v1, at(dose_day + dt.timedelta(days=1), 11), dose_mg=Decimal("200"))
    done_session(
        course, SessionKind.INTEGRATION, workday(dose_day + dt.timedelta(days=3)), therapist
    )
    dosing = TreatmentSession.objects.create(
        course=course, kind=SessionKind.DOSING, planned_date=today
    )
    _seed_schedule(users, morgan, dosing, record.session)

    # Jamie Fox: referred for KA-EMDR, waiting for the partner to schedule.
    jamie = Client.objects.get(first_name="Jamie", last_name="Fox")
    release = sign(jamie, ConsentKind.ROI, at(day_ago(2), 11), partner)
    referral = Referral.objects.create(
        client=jamie,
        partner=partner,
        referred_by=therapist,
        release=release,
        reason="PTSD after a car accident; EMDR progress has stalled; exploring KA-EMDR.",
        diagnoses=[{"code": "F43.10", "description": PTSD}],
        prescreen={**dict.fromkeys(ITEM_LABELS, "no"), "hypertension": "unknown"},
    )
    sent = at(day_ago(2), 14)
    backdate(Referral, referral.pk, sent_at=sent, updated_at=sent)
    event = ReferralEvent.objects.create(referral=referral, step=Step.SENT, by=therapist)
    backdate(ReferralEvent, event.pk, at=sent)
