"""The safety rules of a dosing session, read against the current state.

Every write in dosing.services that they govern calls them again under the
record's row lock (and the prescription chain's), so the page is only a preview:
- the readiness gate, re-run before every dose and booster (`dose_gate`);
- the prescription version in force now governs: dose cap, route, booster,
  limits, fasting and holds (`rx_in_force`);
- before the dose: pre-dose checks, fasting and holds against the prescription,
  fresh baseline vitals taken after arrival, a recent PHQ-9 and today's
  suicide-risk check (`dosing_clearance`);
- a booster: only where prescribed, after the minimum interval, with a recent
  monitoring set within the limits (`booster_refusals`);
- discharge: observation time, the 40-minute BP check, the latest set within the
  limits after the last dose, and the clinician's ticks (`discharge_criteria`).

Sources: Spravato label and REMS (observation for at least 2 h; BP before dosing, at
about 40 min and before discharge), KAP practices' protocols (vitals every 15 min;
fasting and holds from the prescription), Simon et al. 2013 (PHQ-9 item 9 needs
same-day follow-up) — ../shared/clinical-reference.md. The thresholds are settings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from common.plugins import plugins
from common.prepared import Prepared, first_query
from common.timefmt import local_hm
from dosing.models import (
    Administration,
    Discharge,
    DosingRecord,
    PrescriberContact,
    RiskCheckOutcome,
    VitalSigns,
)
from dosing.vitals import out_of_range, peak_check_done
from prescriptions.models import Prescription, RxStatus
from prescriptions.queries import current_version
from prescriptions.ranges import dose_problems
from treatment.gate import Check, dosing_readiness
from treatment.models import TreatmentSession

PREDOSE_PHASES = (VitalSigns.Phase.BASELINE, VitalSigns.Phase.RECHECK)
# A time typed a little ahead of (or behind) the server's clock is a clock difference.
CLOCK_SKEW = dt.timedelta(minutes=5)


def minutes(name: str) -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, name)))


# --- Facts about the record ----------------------------------------------------
# Each is read from the database every time it is asked, which is what a write needs:
# the services ask under the record's row lock, against the current state. A page
# that shows the rules asks for the same facts several times in one render (the
# prescription in force five times); inside `read_once(record)` each fact of that
# record is read once for the render. Only dosing.queries.record_context opens it,
# and it writes nothing; dosing.base.lock_record refuses a write inside it.

T = TypeVar("T")
_read_once: ContextVar[tuple[DosingRecord, dict[str, Any]] | None] = ContextVar(
    "dosing_rules_read_once", default=None
)


@contextmanager
def read_once(record: DosingRecord) -> Iterator[None]:
    """While the page is rendered: each fact of `record` below read once, then kept."""
    token = _read_once.set((record, {}))
    try:
        yield
    finally:
        _read_once.reset(token)


def refuse_inside_read_once(record: DosingRecord) -> None:
    """A write checks the rules against the database under its lock: never inside a
    page's `read_once` of the same record, whose answers may be older than the lock."""
    held = _read_once.get()
    if held is not None and held[0].pk == record.pk:
        raise RuntimeError(f"a write to dosing record {record.pk} inside rules.read_once")


def _fact(record: DosingRecord, name: str, read: Callable[[], T]) -> T:
    held = _read_once.get()
    if held is None or held[0] is not record:
        return read()
    facts = held[1]
    if name not in facts:
        facts[name] = read()
    value: T = facts[name]
    return value


# The facts' reads, compiled once (common.prepared): the record's page, its console and
# every write ask them. The same queries as `.exists()` and `.first()` through the
# record's relations; `_of` gives each row its record, as the relation did.
@Prepared
def _discharge(*, record: int) -> QuerySet[Discharge, int]:
    return Discharge.objects.filter(record_id=record).values_list("pk", flat=True)[:1]


@Prepared
def _dose(*, record: int) -> QuerySet[Administration]:
    return first_query(
        Administration.objects.filter(record_id=record, kind=Administration.Kind.DOSE)
    )


@Prepared
def _last_administration(*, record: int) -> QuerySet[Administration]:
    return first_query(
        Administration.objects.filter(record_id=record).order_by("-given_at", "-id")
    )


@Prepared
def _latest_predose(*, record: int) -> QuerySet[VitalSigns]:
    predose = VitalSigns.objects.filter(record_id=record, phase__in=PREDOSE_PHASES)
    return first_query(predose.order_by("-taken_at", "-id"))


@Prepared
def _latest_vitals(*, record: int) -> QuerySet[VitalSigns]:
    return first_query(VitalSigns.objects.filter(record_id=record).order_by("-taken_at", "-id"))


R = TypeVar("R", Administration, VitalSigns)


def _of(record: DosingRecord, found: list[R]) -> R | None:
    if not found:
        return None
    found[0].record = record
    return found[0]


def is_discharged(record: DosingRecord) -> bool:
    return _fact(record, "discharged", lambda: bool(_discharge(record=record.pk)))


def dose_given(record: DosingRecord) -> Administration | None:
    return _fact(record, "dose", lambda: _of(record, _dose(record=record.pk)))


def last_administration(record: DosingRecord) -> Administration | None:
    return _fact(record, "last", lambda: _of(record, _last_administration(record=record.pk)))


def latest_predose(record: DosingRecord) -> VitalSigns | None:
    return _fact(record, "predose", lambda: _of(record, _latest_predose(record=record.pk)))


def latest_vitals(record: DosingRecord) -> VitalSigns | None:
    """The latest set, whatever its label."""
    return _fact(record, "vitals", lambda: _of(record, _latest_vitals(record=record.pk)))


def arrival(record: DosingRecord) -> dt.datetime:
    """When the client arrived: the appointment's "arrived" time, else the session's start."""
    return _fact(record, "arrival", lambda: _arrival(record))


@Prepared
def _arrived_at(*, session: int) -> QuerySet[TreatmentSession, dt.datetime | None]:
    # Read through the reverse relation, so that dosing does not import scheduling.
    arrived = TreatmentSession.objects.filter(pk=session)
    return first_query(arrived.values_list("appointment__arrived_at", flat=True))


def _arrival(record: DosingRecord) -> dt.datetime:
    found = _arrived_at(session=record.session_id)
    arrived = found[0] if found else None
    if arrived is not None:
        return arrived
    return record.session.started_at or record.opened_at


def rx_in_force(record: DosingRecord) -> Prescription:
    """The newest version of the record's prescription chain: it governs every write,
    whatever version was in force when the record opened."""
    return _fact(record, "rx", lambda: current_version(record.prescription))


# --- The gate, at every dose ----------------------------------------------------


def dose_gate(record: DosingRecord) -> list[Check]:
    """The readiness gate, re-run now, plus the prescription chain and today's safety checks."""
    session = record.session
    checks, gate_rx = dosing_readiness(session)
    rx = rx_in_force(record)
    label = "The record's prescription is still in force"
    if rx.status == RxStatus.DISCONTINUED:
        checks.append(Check("rx_chain", label, False, "The prescription was discontinued."))
    elif gate_rx is not None and gate_rx.chain_root_id != rx.chain_root_id:
        checks.append(Check("rx_chain", label, False, "A different prescription is now in force."))
    else:
        checks.append(Check("rx_chain", label, True, f"Version {rx.version} governs."))
    # Today's checks before a dose: settings.PATHWAYS_DOSE_CONDITIONS, in order
    # (measures adds the PHQ-9 recency; dosing's own is the clinician's risk check).
    checks += [condition(record) for condition in plugins("PATHWAYS_DOSE_CONDITIONS")]
    return checks


def risk_check_condition(record: DosingRecord) -> Check:
    label = "Today's suicide-risk check by the clinician, with no current risk"
    at = record.risk_check_at
    if at is None or timezone.localdate(at) != timezone.localdate():
        return Check("risk_check", label, False, "Not recorded today.")
    if record.risk_check_outcome != RiskCheckOutcome.NO_RISK:
        return Check(
            "risk_check", label, False, "Risk was reported: do not dose; follow the safety plan."
        )
    return Check(
        "risk_check", label, True, f"{record.get_risk_check_method_display()} at {local_hm(at)}."
    )


def failed(checks: list[Check]) -> list[str]:
    return [f"{c.label}: {c.detail}" for c in checks if not c.ok]


# --- Before the dose -------------------------------------------------------------


def predose_missing(record: DosingRecord, rx: Prescription | None = None) -> list[str]:
    rx = rx or rx_in_force(record)
    missing = []
    if record.fasting_hours is None or record.fasting_liquids_hours is None:
        missing.append("The hours since the client last ate and drank are not recorded.")
    unanswered = [
        h["medication"]
        for h in rx.hold_list()
        if h["medication"] not in (record.holds_answers or {})
    ]
    if unanswered:
        missing.append("Not asked about the holds: " + ", ".join(map(str, unanswered)) + ".")
    if not (record.escort_name.strip() and record.escort_phone.strip()):
        missing.append("The escort's name and phone are not recorded.")
    if not record.intention.strip():
        missing.append("The client's intention is not recorded.")
    return missing


def predose_shortfalls(record: DosingRecord, rx: Prescription | None = None) -> list[str]:
    """Fasting and holds that fall short of the prescription in force."""
    rx = rx or rx_in_force(record)
    short: list[str] = []
    if rx.fasting_solids_hours is None or rx.fasting_liquids_hours is None:
        short.append(
            f"Version {rx.version} of the prescription gives no fasting hours: ask the "
            "prescriber to revise it."
        )
    else:
        pairs = [
            ("food", record.fasting_hours, rx.fasting_solids_hours),
            ("clear liquids", record.fasting_liquids_hours, rx.fasting_liquids_hours),
        ]
        for what, reported, needed in pairs:
            if reported is not None and Decimal(reported) < Decimal(needed):
                short.append(
                    f"Fasted {reported} h from {what}; the prescription asks for {needed} h."
                )
    answers = record.holds_answers or {}
    for hold in rx.hold_list():
        if answers.get(hold["medication"]) == "taken":
            short.append(f"{hold['medication']} was taken within the {hold['hours']} h hold.")
    return short


def predose_contact_allows(record: DosingRecord) -> bool:
    """A prescriber contact about the shortfall, after the pre-dose checks, said proceed."""
    contact = (
        record.prescriber_contacts.filter(topic=PrescriberContact.Topic.PREDOSE)
        .order_by("-contacted_at", "-id")
        .first()
    )
    if contact is None or not contact.proceed:
        return False
    checked = record.predose_checked_at
    # The contact's time is typed; the check's time is the server's.
    return checked is None or contact.contacted_at >= checked - CLOCK_SKEW


def dosing_clearance(
    record: DosingRecord, at: dt.datetime | None = None
) -> tuple[bool, list[str]]:
    """May the dose be given at `at` (default now)? (ok, the reasons it may not)."""
    at = at or timezone.now()
    rx = rx_in_force(record)
    reasons = predose_missing(record, rx)
    shortfalls = predose_shortfalls(record, rx)
    if shortfalls and not predose_contact_allows(record):
        reasons.append(
            " ".join(shortfalls)
            + " Dosing waits until the prescriber is contacted and approves it."
        )
    latest = latest_predose(record)
    if latest is None:
        reasons.append("No baseline vitals are recorded.")
        return not reasons, reasons
    window = minutes("DOSING_BASELINE_MAX_AGE_MINUTES")
    if latest.taken_at < arrival(record):
        reasons.append("The latest pre-dose vitals were taken before the client arrived.")
    elif at - latest.taken_at > window:
        reasons.append(
            f"The latest pre-dose vitals ({local_hm(latest.taken_at)}) are more than "
            f"{window.seconds // 60} minutes old: take a re-check."
        )
    messages = out_of_range(latest, rx)
    if messages:
        contact = (
            latest.prescriber_contacts.filter(topic=PrescriberContact.Topic.VITALS)
            .order_by("-contacted_at", "-id")
            .first()
        )
        if contact is None:
            reasons.append(
                "The latest pre-dose vitals are out of range ("
                + " ".join(messages)
                + ") Record an in-range re-check, or the prescriber's instruction."
            )
        elif not contact.proceed:
            reasons.append(
                "The prescriber did not approve dosing with the latest vitals. "
                "Record an in-range re-check before dosing."
            )
    return not reasons, reasons


# --- The amount --------------------------------------------------------------------


def amount_refusals(
    rx: Prescription, kind: str, dose_mg: Decimal, first: Decimal | None
) -> list[str]:
    reasons: list[str] = []
    if dose_mg <= 0:
        return ["Enter an amount above zero."]
    cap = rx.dose_mg if kind == Administration.Kind.DOSE else rx.booster_mg
    if cap is not None and dose_mg > cap:
        what = "dose" if kind == Administration.Kind.DOSE else "booster"
        reasons.append(
            f"The {what} cannot exceed the {cap} mg of prescription version {rx.version}."
        )
    total = dose_mg + (first or Decimal(0))
    refused, _ = dose_problems(rx.route, total, rx.weight_kg)
    reasons += refused
    return reasons


def booster_refusals(record: DosingRecord, rx: Prescription, at: dt.datetime) -> list[str]:
    """Only where prescribed, after the minimum interval, with recent vitals within the limits."""
    if rx.booster_mg is None:
        return [f"Prescription version {rx.version} does not authorise a booster."]
    dose = dose_given(record)
    if dose is None:
        return ["A booster follows the dose: give the dose first."]
    if record.administrations.filter(kind=Administration.Kind.BOOSTER).exists():
        return ["The booster has already been given."]
    reasons: list[str] = []
    if rx.booster_after_minutes is None:
        reasons.append(
            "The prescription does not say how long after the dose a booster may follow."
        )
    elif at < dose.given_at + dt.timedelta(minutes=rx.booster_after_minutes):
        earliest = dose.given_at + dt.timedelta(minutes=rx.booster_after_minutes)
        reasons.append(
            f"A booster may follow the dose after {rx.booster_after_minutes} minutes, "
            f"at {local_hm(earliest)} at the earliest."
        )
    latest = latest_vitals(record)
    max_age = minutes("DOSING_BOOSTER_VITALS_MAX_AGE_MINUTES")
    if latest is None or latest.taken_at < dose.given_at:
        reasons.append("Take a monitoring set after the dose before a booster.")
    else:
        if at - latest.taken_at > max_age:
            reasons.append(
                f"The latest monitoring set ({local_hm(latest.taken_at)}) is more than "
                f"{max_age.seconds // 60} minutes old: take a new one."
            )
        if at < latest.taken_at:
            reasons.append("The booster cannot be given before the latest vitals were taken.")
        messages = out_of_range(latest, rx)
        if messages:
            reasons.append("The latest vitals are out of range: " + " ".join(messages))
    return reasons


# --- Discharge ------------------------------------------------------------------------

DISCHARGE_CRITERIA = {
    "observation_time_met": "The minimum observation time since the last dose",
    "peak_bp_check_done": "The BP check about 40 minutes after the dose",
    "vitals_within_parameters": "The latest vitals, after the last dose, within the limits",
    "alert_and_oriented": "Alert and oriented",
    "walks_steadily": "Walks steadily",
    "escort_present": "Escort present",
    "told_no_driving": "Told not to drive until the next day",
}


def discharge_vitals_check(record: DosingRecord) -> tuple[bool, str]:
    """The latest set (whatever its label) taken after the last dose, within the limits."""
    latest = latest_vitals(record)
    last = last_administration(record)
    if latest is None:
        return False, "No vitals are recorded."
    if last is not None and latest.taken_at < last.given_at:
        return False, "No vitals have been taken since the last dose."
    messages = out_of_range(latest, rx_in_force(record))
    if messages:
        return (
            False,
            f"The latest vitals ({local_hm(latest.taken_at)}) are out of range: "
            + " ".join(messages),
        )
    return True, f"The latest vitals ({local_hm(latest.taken_at)}) are within the limits."


def observation_check(record: DosingRecord, at: dt.datetime) -> tuple[bool, str]:
    last = last_administration(record)
    needed = minutes("DOSING_MIN_OBSERVATION_MINUTES")
    if last is None:
        return True, "No dose was given."
    if at - last.given_at < needed:
        until = last.given_at + needed
        return False, (
            f"Observe for {needed.seconds // 60} minutes after the last dose "
            f"(until {local_hm(until)})."
        )
    return True, f"Observed for {int((at - last.given_at).total_seconds() // 60)} minutes."


def peak_check(record: DosingRecord) -> tuple[bool, str]:
    dose = dose_given(record)
    if dose is None:
        return True, "No dose was given."
    taken = list(record.vitals.values_list("taken_at", flat=True))
    if peak_check_done(taken, dose.given_at):
        return True, "Done."
    return False, "No BP set was taken about 40 minutes after the dose."


def discharge_criteria(
    record: DosingRecord, data: dict[str, Any], at: dt.datetime
) -> dict[str, bool]:
    return {
        "observation_time_met": observation_check(record, at)[0],
        "peak_bp_check_done": peak_check(record)[0],
        "vitals_within_parameters": discharge_vitals_check(record)[0],
        "alert_and_oriented": bool(data.get("alert_and_oriented")),
        "walks_steadily": bool(data.get("walks_steadily")),
        "escort_present": bool(data.get("escort_present")),
        "told_no_driving": bool(data.get("told_no_driving")),
    }
