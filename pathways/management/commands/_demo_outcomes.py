"""Four past courses for the practice outcomes report, one in each state it shows.

- Harper Nguyen (KAP): PHQ-9 18 → 7 (a response), GAD-7 14 → 9.
- Elliot Shaw (KAP): PHQ-9 8 → 5, not in the response/remission denominator
  (CMS159 counts PHQ-9 baselines above 9 only), GAD-7 9 → 6.
- Noor Haddad (KA-EMDR): PCL-5 52 → 38, a reliable improvement (10 points).
- Devon Walsh (KA-EMDR): PCL-5 30 → 42, a reliable deterioration; PHQ-9 item 9
  answered 1 a month ago, acknowledged by the therapist with a safety plan.

Each: a course back-dated, an eligible referral with a signed release, a
prescription for the modality, a preparation session, a completed dosing session
(the KA-EMDR doses are 50 mg lozenges the client takes under observation, each with
its EMDR record: Noor's closed complete, Devon's incomplete), an integration
session, and scores before and after the first dose. Every name is
invented; the phone numbers are 555-01xx, reserved for fiction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from accounts.models import Role, User
from clients.models import Client, ClientStatus, Diagnosis, ReportedMedication
from consents.models import ConsentKind
from measures.models import AlertAction, SafetyAlert
from partners.models import Partner
from pathways.management.commands._demo_common import (
    acknowledge,
    at,
    backdate,
    day_ago,
    eligible_referral,
    prescription,
    respond,
    sign,
    workday,
)
from pathways.management.commands._demo_emdr import DEVON, NOOR, Reprocessing, past_emdr_record
from pathways.management.commands._demo_session import (
    DOSE_HOUR,
    DOSE_MINUTE,
    Plan,
    Staff,
    done_session,
    past_dosing_session,
)
from prescriptions.models import RxModality
from treatment.models import CourseStatus, Modality, SessionKind, TreatmentCourse
from website.models import Service

# ICD-10-CM titles (CMS ICD-10-CM tabular list).
DIAGNOSES = {
    "F33.0": "Major depressive disorder, recurrent, mild",
    "F33.1": "Major depressive disorder, recurrent, moderate",
    "F43.10": "Post-traumatic stress disorder, unspecified",
}


@dataclass(frozen=True)
class Course:
    first: str
    last: str
    born: dt.date
    modality: str
    diagnosis: str
    reason: str
    medications: list[tuple[str, str, str]]  # name, dose, how often
    escort: tuple[str, str]  # name, relationship
    dosed_days_ago: int
    dose_mg: Decimal
    baseline: tuple[int, int, int]
    intention: str
    assessment: str
    plan: str
    # Instrument code -> (days from the dose day, total), answered at 19:00.
    scores: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    # A PHQ-9 with item 9 answered 1, (days from the dose day, total), and its follow-up.
    alert: tuple[int, int] | None = None
    alert_note: str = ""
    # KA-EMDR: the EMDR record of the dosing session.
    reprocessing: Reprocessing | None = None


COURSES = [
    Course(
        "Harper",
        "Nguyen",
        dt.date(1979, 6, 2),
        Modality.KAP,
        "F33.1",
        "Recurrent depression; two medication trials with partial relief; interested in KAP.",
        [("Bupropion XL", "300 mg", "daily")],
        ("Lee Nguyen", "Spouse"),
        100,
        Decimal("150"),
        (118, 74, 68),
        "To feel some hope again, and to get back to painting.",
        "Tolerated the medicine well; moved and hopeful afterwards.",
        "Integration next week; monthly PHQ-9 and GAD-7 follow-up.",
        {
            "phq9": [(-14, 20), (-1, 18), (30, 12), (60, 7)],
            "gad7": [(-14, 15), (-1, 14), (30, 11), (60, 9)],
        },
    ),
    Course(
        "Elliot",
        "Shaw",
        dt.date(1991, 11, 23),
        Modality.KAP,
        "F33.0",
        "Low mood that keeps returning despite therapy and an SSRI; curious about KAP.",
        [("Escitalopram", "10 mg", "daily")],
        ("Jo Shaw", "Sibling"),
        88,
        Decimal("100"),
        (114, 72, 66),
        "To understand why the low mood keeps coming back.",
        "Tolerated the medicine well; reflective, calm at discharge.",
        "Integration this week; PHQ-9 and GAD-7 again in a month.",
        {"phq9": [(-12, 9), (-1, 8), (38, 5)], "gad7": [(-1, 9), (38, 6)]},
    ),
    Course(
        "Noor",
        "Haddad",
        dt.date(1987, 2, 9),
        Modality.KA_EMDR,
        "F43.10",
        "PTSD after an assault; EMDR reprocessing has stalled; exploring KA-EMDR.",
        [("Prazosin", "2 mg", "at night")],
        ("Sami Haddad", "Brother"),
        70,
        Decimal("50"),
        (120, 78, 74),
        "To let the memory be a memory, not something happening now.",
        "Reprocessing moved with the medicine; the target memory less vivid by the end.",
        "Integration in three days; PCL-5 monthly.",
        {"pcl5": [(-9, 55), (-1, 52), (40, 38)], "phq9": [(-1, 12), (40, 8)]},
        reprocessing=NOOR,
    ),
    Course(
        "Devon",
        "Walsh",
        dt.date(1975, 8, 30),
        Modality.KA_EMDR,
        "F43.10",
        "PTSD after a workplace accident; nightmares; EMDR progress slow; exploring KA-EMDR.",
        [],
        ("Ash Walsh", "Spouse"),
        56,
        Decimal("50"),
        (124, 78, 76),
        "To sleep through the night again.",
        "Tolerated the medicine; reprocessing was hard going and left unfinished.",
        "Integration this week; PCL-5 monthly; review the plan if symptoms rise.",
        {"pcl5": [(-1, 30), (28, 42)], "phq9": [(-1, 10)]},
        alert=(26, 13),
        reprocessing=DEVON,
        alert_note=(
            "Called within the hour: passing thoughts of not wanting to wake up after a hard "
            "week; no plan, intent or access to means. Reviewed and updated the safety plan "
            "together; 988 and the practice's number saved in the phone. Check-in call "
            "booked for tomorrow."
        ),
    ),
]
PHONES = 60  # clients (555) 010-0160…, their escorts 010-0170…


def _note(course: Course, plan: Plan) -> tuple[str, str, str]:
    systolic, diastolic, rate = plan.baseline
    solids, liquids = plan.fasted
    taken = "taken by the client under observation" if plan.self_administered else "given"
    escort, relationship = course.escort
    data = (
        f"Arrived with {escort} ({relationship.lower()}). Fasted {solids:g} h from food and "
        f"{liquids:g} h from clear liquids; holds kept. C-SSRS screen negative. Baseline "
        f"{systolic}/{diastolic}, HR {rate}. Sublingual {plan.dose_mg:g} mg {taken} at "
        f"{DOSE_HOUR:02d}:{DOSE_MINUTE:02d}. BP highest at 40 minutes "
        f"({systolic + 14}/{diastolic + 9}). Discharged to {escort.split()[0]} after the "
        "observation time and the checklist; told not to drive until tomorrow."
    )
    return data, course.assessment, course.plan


def _seed_course(course: Course, index: int, users: dict[str, User], partner: Partner) -> Client:
    therapist, prescriber = users[Role.THERAPIST], users[Role.PRESCRIBER]
    dose_day = workday(day_ago(course.dosed_days_ago))

    def rel(days: int, hour: int) -> dt.datetime:
        return at(dose_day + dt.timedelta(days=days), hour)

    escort, relationship = course.escort
    slug = "kap" if course.modality == Modality.KAP else "ka-emdr"
    service = Service.objects.filter(slug=slug).first()
    client = Client.objects.create(
        first_name=course.first,
        last_name=course.last,
        date_of_birth=course.born,
        email=f"{course.first.lower()}.{course.last.lower()}@example.com",
        phone=f"(555) 010-01{PHONES + index}",
        status=ClientStatus.ACTIVE,
        service_of_interest=service.title if service else "",
        assigned_therapist=therapist,
        created_by=users[Role.INTAKE],
        escort_name=escort,
        escort_relationship=relationship,
        escort_phone=f"(555) 010-01{PHONES + 10 + index}",
        emergency_contact_name=escort,
        emergency_contact_relationship=relationship,
        emergency_contact_phone=f"(555) 010-01{PHONES + 10 + index}",
    )
    backdate(Client, client.pk, created_at=rel(-30, 10))
    diagnosis = Diagnosis.objects.create(
        client=client,
        code=course.diagnosis,
        description=DIAGNOSES[course.diagnosis],
        added_by=therapist,
    )
    backdate(Diagnosis, diagnosis.pk, added_at=rel(-29, 11))
    for name, dose, frequency in course.medications:
        ReportedMedication.objects.create(client=client, name=name, dose=dose, frequency=frequency)

    kap = course.modality == Modality.KAP
    release = sign(client, ConsentKind.ROI, rel(-21, 11), partner)
    sign(client, ConsentKind.KAP if kap else ConsentKind.KA_EMDR, rel(-21, 11))
    referral = eligible_referral(
        client,
        partner,
        therapist,
        prescriber,
        release=release,
        sent=rel(-20, 12),
        evaluated=rel(-15, 14),
        reason=course.reason,
        diagnoses=[{"code": course.diagnosis, "description": DIAGNOSES[course.diagnosis]}],
        medications=[" ".join(m) for m in course.medications],
    )
    rx = prescription(
        referral,
        prescriber,
        rel(-14, 16),
        modality=RxModality.KAP if kap else RxModality.KA_EMDR,
        dose_mg=course.dose_mg,
    )
    treatment = TreatmentCourse.objects.create(
        client=client,
        modality=course.modality,
        status=CourseStatus.ACTIVE,
        goals=course.reason.split(";")[0]
        + ": ease the symptoms; integrate what the sessions bring.",
        created_by=therapist,
    )
    backdate(TreatmentCourse, treatment.pk, created_at=rel(-13, 15))
    done_session(
        treatment, SessionKind.PREPARATION, workday(dose_day - dt.timedelta(days=4)), therapist
    )
    plan = Plan(
        day=dose_day,
        dose_mg=course.dose_mg,
        intention=course.intention,
        note=("", "", ""),
        self_administered=not kap,
        baseline=course.baseline,
        fasted=(Decimal("6"), Decimal("3")),
    )
    plan = replace(plan, note=_note(course, plan))
    record = past_dosing_session(treatment, rx, Staff(therapist, users[Role.ADMIN]), plan)
    if course.reprocessing is not None:
        past_emdr_record(record, course.reprocessing)
    done_session(
        treatment, SessionKind.INTEGRATION, workday(dose_day + dt.timedelta(days=3)), therapist
    )

    for code, points in course.scores.items():
        for days, total in points:
            respond(client, code, total, rel(days, 19))
    if course.alert is not None:
        days, total = course.alert
        response = respond(client, "phq9", total, rel(days, 10), fixed={9: 1})
        alert = SafetyAlert.objects.get(response=response)
        acknowledge(
            alert, therapist, AlertAction.SAFETY_PLAN, course.alert_note, dt.timedelta(minutes=90)
        )
    return client


def seed_outcomes(users: dict[str, User], partner: Partner) -> None:
    for index, course in enumerate(COURSES):
        _seed_course(course, index, users, partner)
