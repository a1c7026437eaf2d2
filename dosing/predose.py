"""Before the dose: the pre-dose checks, today's suicide-risk check, and the call to
the prescriber about out-of-range vitals or a fasting or hold shortfall.

Audited writes, each in one transaction under the record's row lock (and its
prescription chain's), judged against the prescription version in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role
from audit.services import log_action
from dosing import rules
from dosing.base import (
    DosingError,
    bounds,
    client_of,
    lock_record,
    not_future,
    tenths,
    too_long,
)
from dosing.models import DosingRecord, PrescriberContact, RiskCheckMethod, RiskCheckOutcome
from dosing.rules import CLOCK_SKEW, dose_given, is_discharged, latest_predose, rx_in_force
from dosing.vitals import out_of_range

# --- Pre-dose checks -----------------------------------------------------------

PREDOSE_FIELDS = [
    "fasting_confirmed",
    "fasting_hours",
    "fasting_liquids_hours",
    "holds_answers",
    "holds_respected",
    "escort_name",
    "escort_phone",
    "intention",
]
HOLD_ANSWERS = ("held", "taken")


@dataclass(frozen=True)
class PredoseChecks:
    """What the client reports before the dose. `holds_answers` maps each of the
    prescription's holds (its medication) to "held" or "taken"; hours are None
    when not asked."""

    fasting_hours: Decimal | None
    fasting_liquids_hours: Decimal | None
    holds_answers: Mapping[str, str]
    escort_name: str
    escort_phone: str
    intention: str


def _predose_refusals(checks: PredoseChecks) -> list[str]:
    reasons: list[str] = []
    for name, what in (
        ("fasting_hours", "the client last ate"),
        ("fasting_liquids_hours", "the client last drank"),
    ):
        hours = getattr(checks, name)
        low, high = bounds(DosingRecord, name)
        if hours is not None and not (tenths(hours) and low <= hours <= high):
            reasons.append(
                f"Enter the hours since {what} from {low} to {high}, to a tenth of an hour."
            )
    if any(answer not in HOLD_ANSWERS for answer in checks.holds_answers.values()):
        reasons.append("Answer each hold with “held” or “taken”.")
    phone = checks.escort_phone.strip()
    if phone and not 7 <= sum(c.isdigit() for c in phone) <= 15:
        reasons.append("Enter the escort's phone number with area code.")
    return reasons + too_long(
        DosingRecord,
        {
            "escort_name": checks.escort_name,
            "escort_phone": checks.escort_phone,
            "intention": checks.intention,
        },
    )


def predose_save(*, actor: Actor, record: DosingRecord, checks: PredoseChecks) -> None:
    """Store the pre-dose checks; holds are answered one by one against the prescription."""
    refusals = _predose_refusals(checks)
    if refusals:
        raise DosingError(*refusals)
    with transaction.atomic():
        record = lock_record(record)
        if dose_given(record):
            raise DosingError(
                "The dose has been given: the pre-dose checks are part of the record."
            )
        if is_discharged(record):
            raise DosingError("The client has been discharged.")
        answers = {str(k): v for k, v in checks.holds_answers.items()}
        values = {
            "fasting_confirmed": checks.fasting_hours is not None,
            "fasting_hours": checks.fasting_hours,
            "fasting_liquids_hours": checks.fasting_liquids_hours,
            "holds_answers": answers,
            "holds_respected": "taken" not in answers.values(),
            "escort_name": checks.escort_name,
            "escort_phone": checks.escort_phone,
            "intention": checks.intention,
        }
        changed = [name for name in PREDOSE_FIELDS if getattr(record, name) != values[name]]
        for name in PREDOSE_FIELDS:
            setattr(record, name, values[name])
        record.predose_checked_at = timezone.now()
        record.predose_checked_by = actor.staff
        record.save(update_fields=[*PREDOSE_FIELDS, "predose_checked_at", "predose_checked_by"])
        log_action(
            actor, "dosing.predose", record, client=client_of(record), detail={"fields": changed}
        )


# --- Today's suicide-risk check ------------------------------------------------


def risk_check_save(
    *, actor: Actor, record: DosingRecord, method: str, outcome: str, note: str
) -> None:
    """Today's suicide-risk check (a C-SSRS screen or the clinician's interview)."""
    if actor.staff.role not in (Role.ADMIN, Role.THERAPIST):
        raise DosingError("Only a clinician records the suicide-risk check.")
    if method not in RiskCheckMethod.values or outcome not in RiskCheckOutcome.values:
        raise DosingError("Choose how the risk was checked and what was found.")
    if outcome == RiskCheckOutcome.RISK and not note.strip():
        raise DosingError("Write down what was found and the plan.")
    refusals = too_long(DosingRecord, {"risk_check_note": note.strip()})
    if refusals:
        raise DosingError(*refusals)
    with transaction.atomic():
        record = lock_record(record)
        if dose_given(record) or is_discharged(record):
            raise DosingError("The risk check is recorded before the dose.")
        record.risk_check_method = method
        record.risk_check_outcome = outcome
        record.risk_check_note = note.strip()
        record.risk_check_at = timezone.now()
        record.risk_check_by = actor.staff
        record.save(
            update_fields=[
                "risk_check_method",
                "risk_check_outcome",
                "risk_check_note",
                "risk_check_at",
                "risk_check_by",
            ]
        )
        log_action(
            actor,
            "dosing.risk_check",
            record,
            client=client_of(record),
            detail={"method": method, "outcome": outcome},
        )


# --- The prescriber: out-of-range vitals, or a fasting or hold shortfall --------


def _contact_refusals(topic: str, prescriber_name: str, instruction: str) -> list[str]:
    reasons: list[str] = []
    if topic not in PrescriberContact.Topic.values:
        reasons.append("Say what the prescriber was contacted about.")
    if not prescriber_name.strip():
        reasons.append("Name the prescriber contacted.")
    if not instruction.strip():
        reasons.append("Write down what the prescriber said.")
    return reasons + too_long(
        PrescriberContact, {"prescriber_name": prescriber_name, "instruction": instruction}
    )


def prescriber_contact_add(
    *,
    actor: Actor,
    record: DosingRecord,
    contacted_at: dt.datetime,
    prescriber_name: str,
    instruction: str,
    proceed: bool,
    topic: str = PrescriberContact.Topic.VITALS,
) -> PrescriberContact:
    """Record the call and the answer: about the latest out-of-range pre-dose set
    (topic "vitals", the default) or about a fasting or hold shortfall ("predose")."""
    refusals = _contact_refusals(topic, prescriber_name, instruction)
    if refusals:
        raise DosingError(*refusals)
    with transaction.atomic():
        record = lock_record(record)
        if dose_given(record) or is_discharged(record):
            raise DosingError("A prescriber contact is recorded before the dose.")
        rx = rx_in_force(record)
        latest = latest_predose(record)
        if topic == PrescriberContact.Topic.PREDOSE:
            if not rules.predose_shortfalls(record, rx):
                raise DosingError("Fasting and holds meet the prescription: no contact is needed.")
            about = None
            earliest = record.predose_checked_at
        else:
            if latest is None or not out_of_range(latest, rx):
                raise DosingError("The latest pre-dose vitals are in range: no contact is needed.")
            about = latest
            earliest = latest.taken_at
        not_future(contacted_at, "The time of the contact")
        if earliest is not None and contacted_at < earliest - CLOCK_SKEW:
            raise DosingError.about_time(
                "The prescriber was contacted before the facts were recorded."
            )
        contact = PrescriberContact.objects.create(
            record=record,
            topic=topic,
            vitals=about,
            contacted_at=contacted_at,
            prescriber_name=prescriber_name,
            instruction=instruction,
            proceed=proceed,
            recorded_by=actor.staff,
        )
        log_action(
            actor,
            "dosing.prescriber_contact",
            record,
            client=client_of(record),
            detail={
                "contact": contact.pk,
                "topic": topic,
                "vitals": about.pk if about else None,
                "proceed": contact.proceed,
            },
        )
    return contact
