"""Six months of outcome measures for the demo, answered through the measures services.

Morgan Ellis (KAP, mid-course): PHQ-9 and GAD-7 every three weeks from about 180 days
ago, flat and moderately severe while in weekly therapy, then lower after the first
dosing session two weeks ago (16 → 11 → 9). Item 9 is answered 0 every time but once,
early on (1, about five months ago): a real safety alert, which the therapist
acknowledged within the hour with a safety plan.

Jamie Fox (KA-EMDR, referred): a PHQ-9 last night with item 9 answered 1, an alert
still open (the safety-alert list, and every clinician's home page).

Questionnaires waiting on the client: Harper Nguyen's monthly follow-up sent three
days ago (due), Elliot Shaw's sent twelve days ago and never answered (its link has
expired: overdue), and Morgan's course follows a schedule (before each dosing session,
at each integration session, monthly after the course).
"""

from __future__ import annotations

import datetime as dt

from accounts.actor import Actor
from accounts.models import Role, User
from clients.models import Client
from measures.models import AlertAction, MeasureLink, Reason, SafetyAlert
from measures.schedule import ScheduleTerms, schedule_save
from measures.services import link_send
from pathways.management.commands._demo_common import (
    acknowledge,
    at,
    backdate,
    day_ago,
    respond,
)
from treatment.models import TreatmentCourse

# Days ago (or "the evening before the first dose"), PHQ-9 total, GAD-7 total.
MORGAN_BEFORE_DOSING = [
    (180, 20, 16),
    (159, 19, 15),
    (138, 19, 15),
    (117, 18, 14),
    (96, 19, 15),
    (75, 17, 14),
    (54, 18, 13),
    (33, 17, 13),
]
MORGAN_EVE_OF_DOSE = (16, 12)  # the evening before the first dose (within 72 h)
MORGAN_AFTER_DOSING = [(7, 11, 9), (2, 9, 8)]
MORGAN_ITEM9_DAYS_AGO = 159  # the one PHQ-9 with item 9 answered 1
MORGAN_ALERT_NOTE = (
    "Called the same afternoon: a fleeting thought that things would be easier if she "
    "did not wake up, during a bad week at work; no plan, intent or means. Wrote a "
    "safety plan together; 988 and the practice's number saved. Reviewed at the next "
    "weekly session."
)


def _morgan(therapist: User, dose_day: dt.date) -> None:
    morgan = Client.objects.get(first_name="Morgan", last_name="Ellis")
    points = [(at(day_ago(d), 19), phq, gad) for d, phq, gad in MORGAN_BEFORE_DOSING]
    points.append((at(dose_day - dt.timedelta(days=1), 19), *MORGAN_EVE_OF_DOSE))
    points += [(at(day_ago(d), 19), phq, gad) for d, phq, gad in MORGAN_AFTER_DOSING]
    flagged_at = at(day_ago(MORGAN_ITEM9_DAYS_AGO), 19)
    for when, phq, gad in points:
        fixed = {9: 1} if when == flagged_at else None
        response = respond(morgan, "phq9", phq, when, fixed=fixed)
        respond(morgan, "gad7", gad, when + dt.timedelta(minutes=4))
        if fixed:
            alert = SafetyAlert.objects.get(response=response)
            acknowledge(
                alert,
                therapist,
                AlertAction.SAFETY_PLAN,
                MORGAN_ALERT_NOTE,
                dt.timedelta(hours=17),  # the next afternoon's call
            )


def _open_alert() -> None:
    """Jamie Fox answered item 9 with 1 last night: open until a clinician acts."""
    jamie = Client.objects.get(first_name="Jamie", last_name="Fox")
    respond(jamie, "phq9", 14, at(day_ago(1), 21, 10), fixed={9: 1})


def _waiting(admin: User) -> None:
    """A follow-up due (sent three days ago) and one overdue (sent twelve days ago)."""
    for first, last, days in (("Harper", "Nguyen", 3), ("Elliot", "Shaw", 12)):
        client = Client.objects.get(first_name=first, last_name=last)
        course = TreatmentCourse.objects.filter(client=client).first()
        link, _ = link_send(
            actor=Actor.for_user(admin),
            client=client,
            codes=["phq9", "gad7"],
            reason=Reason.FOLLOW_UP,
            course=course,
        )
        sent = at(day_ago(days), 9, 30)
        lasts = link.expires_at - link.created_at
        backdate(MeasureLink, link.pk, created_at=sent, expires_at=sent + lasts)


def seed_history(users: dict[str, User], dose_day: dt.date) -> None:
    _morgan(users[Role.THERAPIST], dose_day)
    _open_alert()
    _waiting(users[Role.ADMIN])
    course = TreatmentCourse.objects.get(client__first_name="Morgan", client__last_name="Ellis")
    schedule_save(
        actor=Actor.for_user(users[Role.THERAPIST]),
        course=course,
        terms=ScheduleTerms(
            instruments=("phq9", "gad7"),
            at_intake=False,  # answered at intake, six months ago
            before_dosing=True,
            at_integration=True,
            monthly_after=True,
        ),
    )
