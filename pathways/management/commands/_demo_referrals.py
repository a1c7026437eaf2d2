"""A referral at every step of its lifecycle, for the demo's partner portal and client pages.

Each client signed a release of information to the partner before the referral was
sent, and every step follows the state machine (partners.models.STEPS) in time order:
sent, then an evaluation booked for a time after the referral was sent, then the
prescriber's decision or question on or after the evaluation.

- Jamie Fox: sent two days ago, waiting for the partner to book (sent).
- Quinn Harlow: evaluation booked for three days from now (evaluation scheduled).
- Avery Lindqvist: the prescriber asked a question after the evaluation (needs more
  information: waiting on the practice).
- Sasha Ortiz: the therapist answered (information provided: waiting on the prescriber).
- Rowan Blake: evaluated eligible a week ago, prescribed; preparation session today.
- Kit Moreau: evaluated not eligible (untreated high blood pressure), with the reason.
- Dana Whitfield: closed by the therapist before the evaluation (the client chose to wait).
Morgan Ellis and the four past courses are eligible too (_demo_pathway, _demo_outcomes).

Written straight to the models, like the rest of the demo's past, and checked
against the referral state machine as it goes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role, User
from clients.models import Client, ClientStatus, Diagnosis
from common.transitions import check_transition
from consents.models import ConsentKind
from partners.models import (
    REFERRAL_TRANSITIONS,
    STEPS,
    Partner,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Step,
)
from partners.prescreen import ITEM_LABELS
from pathways.management.commands._demo_common import (
    at,
    backdate,
    day_ago,
    prescription,
    sign,
)
from treatment.models import CourseStatus, Modality, SessionKind, TreatmentCourse, TreatmentSession

MDD = ("F33.1", "Major depressive disorder, recurrent, moderate")
PTSD = ("F43.10", "Post-traumatic stress disorder, unspecified")
# (step, days ago, hour, text, evaluation: (days ago, hour) or None)
Steps = list[tuple[str, int, int, str, tuple[int, int] | None]]


@dataclass(frozen=True)
class Referred:
    first: str
    last: str
    born: dt.date
    phone: str
    diagnosis: tuple[str, str]
    reason: str
    sent_days_ago: int
    steps: Steps


REFERRED = [
    Referred(
        "Quinn",
        "Harlow",
        dt.date(1988, 4, 19),
        "(555) 010-0131",
        MDD,
        "Depression since the birth of her second child; sertraline and therapy helped little.",
        8,
        [(Step.SCHEDULED, 6, 11, "", (-3, 10))],
    ),
    Referred(
        "Avery",
        "Lindqvist",
        dt.date(1976, 10, 2),
        "(555) 010-0132",
        MDD,
        "Chronic depression; three medication trials; exploring KAP.",
        12,
        [
            (Step.SCHEDULED, 10, 9, "", (5, 14)),
            (
                Step.NEEDS_INFO,
                5,
                16,
                "Please send the latest blood pressure readings from the primary-care "
                "physician, and confirm whether Avery still takes lithium.",
                None,
            ),
        ],
    ),
    Referred(
        "Sasha",
        "Ortiz",
        dt.date(1993, 1, 27),
        "(555) 010-0133",
        PTSD,
        "PTSD after a house fire; EMDR helps but slowly; interested in KA-EMDR.",
        16,
        [
            (Step.SCHEDULED, 14, 10, "", (10, 15)),
            (
                Step.NEEDS_INFO,
                10,
                17,
                "Does Sasha have any history of seizures? The intake form says 'unsure'.",
                None,
            ),
            (
                Step.ANSWER,
                8,
                12,
                "No seizures: Sasha confirmed by phone, and the primary-care records we "
                "hold mention none.",
                None,
            ),
        ],
    ),
    Referred(
        "Rowan",
        "Blake",
        dt.date(1982, 9, 8),
        "(555) 010-0134",
        MDD,
        "Depression with little relief from two antidepressants; interested in KAP.",
        15,
        [(Step.SCHEDULED, 13, 9, "", (7, 14)), (Step.ELIGIBLE, 7, 15, "", None)],
    ),
    Referred(
        "Kit",
        "Moreau",
        dt.date(1969, 12, 12),
        "(555) 010-0135",
        MDD,
        "Long-standing depression; curious about KAP after reading about it.",
        25,
        [
            (Step.SCHEDULED, 23, 11, "", (19, 10)),
            (
                Step.NOT_ELIGIBLE,
                19,
                12,
                "Blood pressure 162/98 at the evaluation, untreated. Not eligible until it "
                "is treated and in range; please refer again then.",
                None,
            ),
        ],
    ),
    Referred(
        "Dana",
        "Whitfield",
        dt.date(1990, 5, 30),
        "(555) 010-0136",
        PTSD,
        "PTSD after military service; exploring KA-EMDR.",
        40,
        [
            (Step.SCHEDULED, 38, 10, "", (33, 11)),
            (
                Step.CLOSED,
                36,
                9,
                "Dana decided to wait until after the move in the spring; evaluation "
                "cancelled. We will refer again when Dana is ready.",
                None,
            ),
        ],
    ),
]


def _take(
    referral: Referral,
    step: str,
    by: User,
    when: dt.datetime,
    text: str,
    evaluation: dt.datetime | None,
) -> None:
    sources, target = STEPS[step]
    assert referral.status in sources  # noqa: S101 (the demo follows the state machine)
    check_transition(REFERRAL_TRANSITIONS, referral.status, target)
    referral.status = target
    if step == Step.SCHEDULED:
        referral.evaluation_at = evaluation
    if step == Step.NOT_ELIGIBLE:
        referral.not_eligible_reason = text
    referral.save()
    event = ReferralEvent.objects.create(
        referral=referral, step=step, by=by, text=text, evaluation_at=evaluation
    )
    backdate(ReferralEvent, event.pk, at=when)
    backdate(Referral, referral.pk, updated_at=when)


def _refer(person: Referred, index: int, users: dict[str, User], partner: Partner) -> Referral:
    therapist, prescriber = users[Role.THERAPIST], users[Role.PRESCRIBER]
    sent = at(day_ago(person.sent_days_ago), 12)
    client = Client.objects.create(
        first_name=person.first,
        last_name=person.last,
        date_of_birth=person.born,
        email=f"{person.first.lower()}.{person.last.lower()}@example.com",
        phone=person.phone,
        status=ClientStatus.ACTIVE,
        assigned_therapist=therapist,
        created_by=users[Role.INTAKE],
    )
    backdate(Client, client.pk, created_at=sent - dt.timedelta(days=30 + 7 * index))
    code, description = person.diagnosis
    diagnosis = Diagnosis.objects.create(
        client=client, code=code, description=description, added_by=therapist
    )
    backdate(Diagnosis, diagnosis.pk, added_at=sent - dt.timedelta(days=28))
    release = sign(client, ConsentKind.ROI, sent - dt.timedelta(days=1), partner)
    referral = Referral.objects.create(
        client=client,
        partner=partner,
        referred_by=therapist,
        release=release,
        reason=person.reason,
        diagnoses=[{"code": code, "description": description}],
        prescreen=dict.fromkeys(ITEM_LABELS, "no"),
        status=ReferralStatus.SENT,
    )
    backdate(Referral, referral.pk, sent_at=sent, updated_at=sent)
    event = ReferralEvent.objects.create(referral=referral, step=Step.SENT, by=therapist)
    backdate(ReferralEvent, event.pk, at=sent)
    referral.refresh_from_db()
    for step, days, hour, text, evaluation in person.steps:
        by = therapist if step in (Step.ANSWER, Step.CLOSED) else prescriber
        booked = at(day_ago(evaluation[0]), evaluation[1]) if evaluation else None
        _take(referral, step, by, at(day_ago(days), hour), text, booked)
    return referral


def _rowan_course(referral: Referral, users: dict[str, User]) -> TreatmentSession:
    """Prescribed the day after the evaluation; the course opened the day after that;
    the preparation session is today (booked on the calendar by _demo_week)."""
    assert referral.evaluation_at is not None  # noqa: S101
    evaluated = referral.evaluation_at
    prescription(
        referral,
        users[Role.PRESCRIBER],
        evaluated + dt.timedelta(days=1, hours=2),
        weight_kg=Decimal("80"),
        dose_mg=Decimal("150"),
        # A short first prescription, ending in ten days: the prescriber's portal lists
        # it under "Prescriptions ending in the next 14 days".
        valid_to=timezone.localdate() + dt.timedelta(days=10),
    )
    course = TreatmentCourse.objects.create(
        client=referral.client,
        modality=Modality.KAP,
        status=CourseStatus.ACTIVE,
        goals="Lift mood; get back to work with less dread.",
        created_by=users[Role.THERAPIST],
    )
    backdate(TreatmentCourse, course.pk, created_at=evaluated + dt.timedelta(days=2))
    return TreatmentSession.objects.create(course=course, kind=SessionKind.PREPARATION)


def seed_referrals(users: dict[str, User], partner: Partner) -> TreatmentSession:
    """The referrals at every step; returns Rowan's preparation session (today)."""
    rowan: TreatmentSession | None = None
    for index, person in enumerate(REFERRED):
        referral = _refer(person, index, users, partner)
        if person.first == "Rowan":
            rowan = _rowan_course(referral, users)
    assert rowan is not None  # noqa: S101
    return rowan
