"""Audited writes for EMDR records. Each takes who acts (an `accounts.actor.Actor`)
and typed values, and checks its own rules (`bls.rules`, and the ranges and lengths
of the columns) so that a direct call stores nothing the form would refuse.

Every write runs in one transaction with its audit event; `detail` holds ids,
phase numbers and field names, never what the client said. The reads the page and
the timeline share are in `bls.queries`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.actor import Actor
from audit.services import log_action
from bls import rules
from bls.models import BlsType, DesensitisationSet, EmdrRecord, Phase, PhaseMark
from bls.queries import dose_administration, session_start
from common.dates import session_window
from treatment.models import Modality, SessionStatus, TreatmentSession

if TYPE_CHECKING:
    from scheduling.models import Appointment

ASSESSMENT_FIELDS = (
    "target_memory",
    "image",
    "negative_cognition",
    "positive_cognition",
    "voc_start",
    "emotions",
    "sud_start",
    "body_location",
)
CLOSING_FIELDS = (
    "installation_voc",
    "body_scan",
    "closure",
    "closure_reason",
    "sud_end",
    "voc_end",
)
# 1 Hz is the usual default; 0.8–1.2 Hz was studied (van Veen 2015). About 24 passes
# is a usual start. The set form offers the same ranges.
SPEED_HZ_MIN, SPEED_HZ_MAX = Decimal("0.1"), Decimal("5")
PASSES_MAX = 1000
SECONDS_MAX = 3600


class EmdrError(Exception):
    """A write the record's state or its rules (`bls.rules`) do not allow. `errors`
    maps a field name to the message shown beside that field; the message as a whole
    is for the user too."""

    def __init__(self, message: str = "", *, errors: Mapping[str, str] | None = None) -> None:
        self.errors = dict(errors or {})
        super().__init__(message or " ".join(self.errors.values()))


def _refuse_if(errors: Mapping[str, str]) -> None:
    if errors:
        raise EmdrError(errors=errors)


def _too_long(model: type[models.Model], values: Mapping[str, object]) -> dict[str, str]:
    """Each text longer than its column (the model's max_length, which the database
    does not check for a TextField)."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            errors[name] = f"Shorten this to {limit} characters or fewer."
    return errors


def _count_error(value: object, high: int, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        return f"Enter from 1 to {high} {what}."
    return ""


@dataclass(frozen=True)
class Assessment:
    """Phase 3: target memory, image, cognitions, VOC, emotions, SUD, body location."""

    target_memory: str
    image: str
    negative_cognition: str
    positive_cognition: str
    voc_start: int | None
    emotions: str
    sud_start: int | None
    body_location: str

    @classmethod
    def of(cls, record: EmdrRecord) -> Assessment:
        """As the record holds it now (to change a part: `dataclasses.replace`)."""
        return cls(**{name: getattr(record, name) for name in ASSESSMENT_FIELDS})


@dataclass(frozen=True)
class Closing:
    """Installation VOC, body scan, closure (complete, incomplete or "" undecided) and
    why it is incomplete, and SUD/VOC at the end."""

    installation_voc: int | None
    body_scan: str
    closure: str
    closure_reason: str
    sud_end: int | None
    voc_end: int | None

    @classmethod
    def of(cls, record: EmdrRecord) -> Closing:
        """As the record holds it now (to change a part: `dataclasses.replace`)."""
        return cls(**{name: getattr(record, name) for name in CLOSING_FIELDS})


@dataclass(frozen=True)
class SetEntry:
    """One desensitisation set: the stimulation, how long (passes or seconds, or
    both), and what the client reported."""

    bls_type: str
    speed_hz: Decimal
    passes: int | None = None
    seconds: int | None = None
    client_report: str = ""
    sud: int | None = None
    interweave: str = ""


@dataclass(frozen=True)
class SetReport:
    """What the client reported after a set the display ran, the SUD if checked, and
    any interweave (the BLS display logs the rest itself: bls.pairing.set_finish)."""

    client_report: str
    sud: int | None
    interweave: str


# --- Creating a record --------------------------------------------------------


def record_create_for_session(*, actor: Actor, session: TreatmentSession) -> EmdrRecord:
    """The EMDR record of a KA-EMDR course session (dosing, preparation or integration).

    Returns the existing record if the session has one already."""
    if session.course.modality != Modality.KA_EMDR:
        raise EmdrError("An EMDR record belongs to a session of a KA-EMDR course.")
    if session.status == SessionStatus.CANCELLED:
        raise EmdrError("This session was cancelled.")
    with transaction.atomic():
        existing = EmdrRecord.objects.filter(session=session).first()
        if existing is not None:
            return existing
        record = EmdrRecord.objects.create(session=session, created_by=actor.staff)
        log_action(
            actor,
            "emdr.create",
            record,
            client=session.course.client,
            detail={"session": session.pk},
        )
    return record


def record_create_for_appointment(*, actor: Actor, appointment: Appointment) -> EmdrRecord:
    """The EMDR record of an EMDR appointment without ketamine.

    Returns the existing record if the appointment has one already."""
    from scheduling.models import AppointmentStatus, AppointmentType

    if appointment.type != AppointmentType.EMDR:
        raise EmdrError("An EMDR record without ketamine belongs to an EMDR appointment.")
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        raise EmdrError("This appointment did not take place.")
    with transaction.atomic():
        existing = EmdrRecord.objects.filter(appointment=appointment).first()
        if existing is not None:
            return existing
        record = EmdrRecord.objects.create(appointment=appointment, created_by=actor.staff)
        log_action(
            actor,
            "emdr.create",
            record,
            client=appointment.client,
            detail={"appointment": appointment.pk},
        )
    return record


# --- Phases, assessment, sets, closing ----------------------------------------


def phase_mark(
    *, actor: Actor, record: EmdrRecord, phase: int, at: dt.datetime | None = None
) -> PhaseMark:
    """Mark that the session entered `phase` (1–8) now, or at `at`. Any phase may be
    marked (a step back is a clinical choice, or a correction); the current phase is
    the last mark."""
    if isinstance(phase, bool) or phase not in Phase.values:
        raise EmdrError(errors={"phase": "Choose one of the 8 phases."})
    phase = Phase(phase)
    with transaction.atomic():
        mark = PhaseMark.objects.create(
            record=record, phase=phase, at=at or timezone.now(), by=actor.staff
        )
        log_action(
            actor,
            "emdr.phase_mark",
            record,
            client=record.client,
            detail={"phase": int(phase), "mark": mark.pk},
        )
    return mark


def _save_fields(
    actor: Actor, record: EmdrRecord, values: dict[str, Any], action: str
) -> list[str]:
    changed = [name for name, value in values.items() if getattr(record, name) != value]
    with transaction.atomic():
        for name in changed:
            setattr(record, name, values[name])
        if changed:
            record.save(update_fields=changed)
        log_action(actor, action, record, client=record.client, detail={"fields": changed})
    return changed


def assessment_save(*, actor: Actor, record: EmdrRecord, assessment: Assessment) -> list[str]:
    """Phase 3: target memory, image, cognitions, VOC, emotions, SUD, body location.
    Returns the names of the fields that changed. EmdrError for a SUD or VOC out of
    range, or a text too long for its column."""
    values = asdict(assessment)
    _refuse_if({**_too_long(EmdrRecord, values), **rules.score_errors(values=values)})
    return _save_fields(actor, record, values, "emdr.assessment_save")


def closing_save(*, actor: Actor, record: EmdrRecord, closing: Closing) -> list[str]:
    """Installation VOC, body scan, closure (and why it is incomplete), and SUD/VOC
    at the end. EmdrError for a score out of range, a text too long, or a closure the
    rules refuse, judged on the record as it would be after the write."""
    values = asdict(closing)
    errors = rules.score_errors(values=values)
    refused = rules.closing_errors(
        closure=closing.closure or "",
        body_scan=closing.body_scan or "",
        sud_end=None if "sud_end" in errors else closing.sud_end,
        voc_end=None if "voc_end" in errors else closing.voc_end,
        closure_reason=closing.closure_reason or "",
    )
    # A range error wins beside its field, then a length error, then the closure rule.
    _refuse_if({**refused, **_too_long(EmdrRecord, values), **errors})
    return _save_fields(actor, record, values, "emdr.closing_save")


def record_plan_reprocessing_end(
    *, actor: Actor, record: EmdrRecord, planned_end: dt.datetime | None
) -> list[str]:
    """When the therapist plans to end reprocessing (None: no plan). The record flags
    a dose whose expected peak falls after it (bls.dose_window). Within a day of the
    session (common.dates.SESSION_WINDOW): a year typed wrong is a slip, never a plan."""
    if planned_end is not None:
        opened = session_start(record) or record.created_at
        # Typed as a datetime, but a caller that skips the type checker may send
        # a date or a naive time, which cannot be compared with the session's.
        value: object = planned_end
        problem = (
            session_window(opened).problem(planned_end, "The planned end")
            if isinstance(value, dt.datetime) and timezone.is_aware(value)
            else "Enter a date and time."
        )
        _refuse_if({"planned_reprocessing_end": problem} if problem else {})
    values = {"planned_reprocessing_end": planned_end}
    return _save_fields(actor, record, values, "emdr.plan_reprocessing_end")


def _set_errors(entry: SetEntry) -> dict[str, str]:
    errors = _too_long(DesensitisationSet, asdict(entry))
    if entry.bls_type not in BlsType.values:
        errors["bls_type"] = "Choose eye movements, auditory or tactile."
    # Typed as object: a caller that skips the type checker may send a float or text,
    # which is refused here rather than failing on Decimal's methods.
    speed: object = entry.speed_hz
    if not (
        isinstance(speed, Decimal)
        and speed.is_finite()
        and speed == speed.quantize(Decimal("0.1"))
        and SPEED_HZ_MIN <= speed <= SPEED_HZ_MAX
    ):
        errors["speed_hz"] = (
            f"Enter a speed from {SPEED_HZ_MIN} to {SPEED_HZ_MAX} Hz, to one decimal place."
        )
    for name, high, what in (
        ("passes", PASSES_MAX, "passes"),
        ("seconds", SECONDS_MAX, "seconds"),
    ):
        error = _count_error(getattr(entry, name), high, what)
        if error:
            errors[name] = error
    if entry.passes is None and entry.seconds is None:
        errors["passes"] = "Enter the number of passes or the seconds."
    errors.update(rules.score_errors(values={"sud": entry.sud}))
    return errors


def next_set_slot(*, record: EmdrRecord, at: dt.datetime) -> tuple[int, int | None]:
    """The number the next set of `record` takes and its minutes since the session's
    dose (None before the dose), with the record locked for the rest of the caller's
    transaction: two sets logged at once (the form, the display) get different numbers."""
    EmdrRecord.objects.select_for_update().filter(pk=record.pk).first()
    last = record.sets.aggregate(n=Max("number"))["n"] or 0
    dose = dose_administration(record)
    minutes = None
    if dose is not None and at >= dose.given_at:
        minutes = int((at - dose.given_at).total_seconds() // 60)
    return last + 1, minutes


def set_add(
    *, actor: Actor, record: EmdrRecord, entry: SetEntry, at: dt.datetime | None = None
) -> DesensitisationSet:
    """Log a desensitisation set: numbered 1, 2, 3… per record; minutes since the
    dose worked out from the session's dose, if one was given before the set."""
    _refuse_if(_set_errors(entry))
    at = at or timezone.now()
    with transaction.atomic():
        number, minutes = next_set_slot(record=record, at=at)
        made = DesensitisationSet.objects.create(
            record=record,
            number=number,
            at=at,
            minutes_since_dose=minutes,
            recorded_by=actor.staff,
            **asdict(entry),
        )
        log_action(
            actor,
            "emdr.set_add",
            record,
            client=record.client,
            detail={"set": made.pk, "number": made.number},
        )
    return made


def set_report_save(
    *, actor: Actor, entry: DesensitisationSet, report: SetReport
) -> DesensitisationSet:
    """Add the client's report, the SUD and an interweave to a logged set. EmdrError
    for a SUD out of range or a text too long for its column."""
    values = asdict(report)
    _refuse_if({**_too_long(DesensitisationSet, values), **rules.score_errors(values=values)})
    with transaction.atomic():
        locked = DesensitisationSet.objects.select_for_update().get(pk=entry.pk)
        changed = [name for name, value in values.items() if getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, values[name])
        if changed:
            locked.save(update_fields=changed)
        record = locked.record
        log_action(
            actor,
            "emdr.set_report",
            record,
            client=record.client,
            detail={"set": locked.pk, "number": locked.number, "fields": changed},
        )
    return locked
