"""Discharge: the end of the dosing session, judged under the record's row lock.

Every criterion (dosing.rules.DISCHARGE_CRITERIA) is judged at the write; with one
unmet, discharge needs a clinician's reason (an early discharge, which notifies
the prescriber). A refusal is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import transaction

from accounts.actor import Actor
from accounts.models import Role
from audit.services import log_action
from dosing import rules
from dosing.base import (
    EARLY_DISCHARGE_TEMPLATE,
    SUMMARY_TEMPLATE,
    DosingError,
    client_of,
    lock_record,
    not_future,
    notify_prescribers,
    too_long,
)
from dosing.models import Discharge, DosingRecord
from dosing.observation import session_time_refusal
from dosing.rules import DISCHARGE_CRITERIA, is_discharged
from treatment import services as treatment_services
from treatment.models import SessionStatus


@dataclass(frozen=True)
class DischargeTicks:
    """What the clinician observes and ticks; the rest the server judges."""

    alert_and_oriented: bool
    walks_steadily: bool
    escort_present: bool
    told_no_driving: bool


def record_discharge(
    *,
    actor: Actor,
    record: DosingRecord,
    ticks: DischargeTicks,
    discharged_at: dt.datetime,
    exception_reason: str = "",
) -> Discharge:
    """Discharge the client and complete the session.

    Allowed without a dose (a session can end before dosing). Every criterion
    (dosing.rules.DISCHARGE_CRITERIA) is judged now, under the lock; with one unmet,
    discharge needs a clinician's reason, and that early discharge notifies the
    prescriber. A refusal is audited.
    """
    reason = exception_reason.strip()
    refusals = too_long(Discharge, {"exception_reason": reason})
    if refusals:
        raise DosingError(*refusals)
    with transaction.atomic():
        record = lock_record(record)
        if is_discharged(record):
            raise DosingError("The client has already been discharged.")
        not_future(discharged_at, "The discharge time")
        outside = session_time_refusal(record, discharged_at, "The discharge time")
        if outside:
            raise DosingError.about_time(outside)
        last = rules.last_administration(record)
        if last is not None and discharged_at < last.given_at:
            raise DosingError.about_time("The discharge time cannot be before the dose.")
        criteria = rules.discharge_criteria(record, asdict(ticks), discharged_at)
        unmet = [name for name, met in criteria.items() if not met]
        exception = bool(unmet)
        if exception and actor.staff.role not in (Role.ADMIN, Role.THERAPIST):
            reason = ""  # only a clinician may discharge early
        if not exception or reason:
            done = Discharge.objects.create(
                record=record,
                **criteria,
                exception_reason=reason if exception else "",
                discharged_at=discharged_at,
                discharged_by=actor.staff,
            )
            session = record.session
            if session.status == SessionStatus.IN_PROGRESS:
                try:
                    treatment_services.session_complete(actor=actor, session=session)
                except treatment_services.SessionError as exc:
                    raise DosingError(str(exc)) from None
            notify_prescribers(record, SUMMARY_TEMPLATE)
            if exception:
                notify_prescribers(record, EARLY_DISCHARGE_TEMPLATE)
            log_action(
                actor,
                "dosing.discharge",
                record,
                client=client_of(record),
                detail={"discharge": done.pk, "unmet": unmet, "exception": exception},
            )
            return done
        log_action(
            actor,
            "dosing.discharge_refused",
            record,
            client=client_of(record),
            detail={"unmet": unmet},
        )
    # "The BP check…" reads "the BP check…" mid-sentence; abbreviations keep their case.
    labels = ", ".join(
        DISCHARGE_CRITERIA[name][0].lower() + DISCHARGE_CRITERIA[name][1:] for name in unmet
    )
    raise DosingError(
        f"Discharge is blocked: not met: {labels}. "
        "Meet every criterion, or a clinician documents the reason for an early discharge "
        "(the prescriber is told)."
    )
