"""Giving the dose or the booster: refused unless every rule holds at that moment.

The rules are read in dosing.rules; here they run under the record's and the
prescription chain's row locks, and a refusal is audited with what failed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from accounts.actor import Actor
from accounts.models import Role, User
from audit.services import log_action
from dosing import rules
from dosing.base import DosingError, client_of, lock_record, not_future, tenths
from dosing.models import Administration, DosingRecord
from dosing.observation import session_time_refusal
from dosing.rules import dose_given, dosing_clearance, is_discharged, latest_predose, rx_in_force
from prescriptions.models import Prescription, RxStatus

# --- Administration ------------------------------------------------------------


def administration_add(
    *,
    actor: Actor,
    record: DosingRecord,
    kind: str,
    dose_mg: Decimal,
    given_at: dt.datetime,
    given_by: User | None,
    witnessed_by: User,
    self_administered: bool = False,
) -> Administration:
    """Record the dose or the booster: refused unless every rule holds now.

    Checked under the locks the write holds, against the prescription version in
    force now; a refusal is audited (committed) with the keys of what failed."""
    with transaction.atomic():
        record = lock_record(record)
        rx = rx_in_force(record)
        reasons, keys, timing = _administer_refusals(
            record, rx, kind, dose_mg, given_at, given_by, witnessed_by, self_administered
        )
        if not reasons:
            given = Administration.objects.create(
                record=record,
                kind=kind,
                dose_mg=dose_mg,
                route=rx.route,
                prescription=rx,
                given_at=given_at,
                self_administered=self_administered,
                given_by=None if self_administered else given_by,
                witnessed_by=witnessed_by,
            )
            log_action(
                actor,
                "dosing.administer",
                record,
                client=client_of(record),
                detail={
                    "administration": given.pk,
                    "kind": kind,
                    "prescription": rx.pk,
                    "version": rx.version,
                    "self_administered": self_administered,
                },
            )
            return given
        log_action(
            actor,
            "dosing.administer_refused",
            record,
            client=client_of(record),
            detail={"kind": kind, "refusals": len(reasons), "failed": keys},
        )
    # Raised after the block has committed the refusal's entry (nothing else was
    # written): raised inside it, the rollback would take the entry with it. So the
    # caller must not wrap this in a transaction of its own (views do not;
    # dosing/tests/test_refusal_audit.py checks the entry is committed).
    raise DosingError(*reasons, time=timing)


def _administer_refusals(
    record: DosingRecord,
    rx: Prescription,
    kind: str,
    dose_mg: Decimal,
    given_at: dt.datetime,
    given_by: User | None,
    witnessed_by: User,
    self_administered: bool,
) -> tuple[list[str], list[str], list[str]]:
    """(sentences for the person, keys for the audit trail, the sentences about the
    time given, which the page shows beside the time field)."""
    if is_discharged(record):
        return ["The client has been discharged."], ["discharged"], []
    if rx.status == RxStatus.DISCONTINUED:
        return (
            ["The prescription has been discontinued: it can no longer be dosed against."],
            ["prescription"],
            [],
        )
    if kind not in Administration.Kind.values:
        return ["Unknown kind of administration."], ["kind"], []
    # Before any rule does arithmetic on the time (a day at the end of the calendar).
    outside = session_time_refusal(record, given_at, "The time given")
    if outside:
        return [outside], ["time"], [outside]
    timing: list[str] = []
    gate = rules.dose_gate(record)
    reasons = rules.failed(gate)
    keys = [c.key for c in gate if not c.ok]
    dose = dose_given(record)
    if kind == Administration.Kind.DOSE:
        if dose is not None:
            return (
                ["The dose has already been given. A further amount is a booster."],
                ["dose"],
                [],
            )
        ok, blocked = dosing_clearance(record, given_at)
        if not ok:
            reasons += blocked
            keys.append("clearance")
        latest = latest_predose(record)
        if latest is not None and given_at < latest.taken_at:
            early = "The dose cannot be given before the pre-dose vitals were taken."
            reasons.append(early)
            timing.append(early)
            keys.append("time")
        first = None
    else:
        booster = rules.booster_refusals(record, rx, given_at)
        if booster:
            reasons += booster
            keys.append("booster")
        first = dose.dose_mg if dose is not None else None
    # The column keeps tenths of a mg: a finer amount would be stored rounded, not as given.
    if not tenths(dose_mg):
        amount = ["Enter the amount in mg to one decimal place at most."]
    else:
        amount = rules.amount_refusals(rx, kind, dose_mg, first)
    if amount:
        reasons += amount
        keys.append("amount")
    people = _people_refusals(rx, given_by, witnessed_by, self_administered)
    if people:
        reasons += people
        keys.append("people")
    try:
        not_future(given_at, "The time given")
    except DosingError as exc:
        reasons += exc.reasons
        timing += exc.reasons
        keys.append("time")
    return reasons, keys, timing


SELF_ADMINISTERED_ROUTES = ("sublingual", "oral")


def _people_refusals(
    rx: Prescription, given_by: User | None, witnessed_by: User, self_administered: bool
) -> list[str]:
    staff = (Role.ADMIN, Role.THERAPIST, Role.INTAKE)
    if self_administered:
        if rx.route not in SELF_ADMINISTERED_ROUTES:
            return ["Only a lozenge, troche or oral dose can be taken by the client."]
        if not witnessed_by.is_active or witnessed_by.role not in staff:
            return ["The dose the client takes must be observed by active practice staff."]
        return []
    if given_by is None:
        return ["Say who gave the dose, or record that the client took it."]
    if given_by.pk == witnessed_by.pk:
        return ["The person who gives the dose cannot also witness it."]
    for person in (given_by, witnessed_by):
        if not person.is_active or person.role not in staff:
            return ["Who gave and who witnessed must be active practice staff."]
    return []
