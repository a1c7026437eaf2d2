"""Audited writes for EMDR records, and the facts read from the dosing record.

Every write runs in one transaction with its audit event; `detail` holds ids,
phase numbers and field names, never what the client said.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.access import AuthedRequest
from audit.services import log_action
from bls import rules
from bls.models import DesensitisationSet, EmdrRecord, Phase, PhaseMark
from treatment.models import Modality, SessionStatus, TreatmentSession

if TYPE_CHECKING:
    from dosing.models import Administration, DosingRecord, VitalSigns
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
SET_FIELDS = ("bls_type", "speed_hz", "passes", "seconds", "client_report", "sud", "interweave")


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


# --- Creating a record --------------------------------------------------------


def record_create_for_session(request: AuthedRequest, session: TreatmentSession) -> EmdrRecord:
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
        record = EmdrRecord.objects.create(session=session, created_by=request.user)
        log_action(
            request,
            "emdr.create",
            record,
            client=session.course.client,
            detail={"session": session.pk},
        )
    return record


def record_create_for_appointment(request: AuthedRequest, appointment: Appointment) -> EmdrRecord:
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
        record = EmdrRecord.objects.create(appointment=appointment, created_by=request.user)
        log_action(
            request,
            "emdr.create",
            record,
            client=appointment.client,
            detail={"appointment": appointment.pk},
        )
    return record


# --- Phases, assessment, sets, closing ----------------------------------------


def phase_mark(
    request: AuthedRequest, record: EmdrRecord, phase: int, at: dt.datetime | None = None
) -> PhaseMark:
    """Mark that the session entered `phase` now. Any phase may be marked (a step
    back is a clinical choice, or a correction); the current phase is the last mark."""
    phase = Phase(phase)  # ValueError for anything but 1–8
    with transaction.atomic():
        mark = PhaseMark.objects.create(
            record=record, phase=phase, at=at or timezone.now(), by=request.user
        )
        log_action(
            request,
            "emdr.phase_mark",
            record,
            client=record.client,
            detail={"phase": int(phase), "mark": mark.pk},
        )
    return mark


def current_phase(record: EmdrRecord) -> PhaseMark | None:
    return record.phase_marks.order_by("-at", "-id").first()


def _save_fields(
    request: AuthedRequest,
    record: EmdrRecord,
    data: dict[str, Any],
    names: tuple[str, ...],
    action: str,
) -> list[str]:
    changed = [name for name in names if name in data and getattr(record, name) != data[name]]
    with transaction.atomic():
        for name in changed:
            setattr(record, name, data[name])
        if changed:
            record.save(update_fields=changed)
        log_action(request, action, record, client=record.client, detail={"fields": changed})
    return changed


def _given(data: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {name: data[name] for name in names if name in data}


def assessment_save(request: AuthedRequest, record: EmdrRecord, data: dict[str, Any]) -> list[str]:
    """Phase 3: target memory, image, cognitions, VOC, emotions, SUD, body location.
    Returns the names of the fields that changed. EmdrError for a SUD or VOC out of
    range."""
    _refuse_if(rules.score_errors(values=_given(data, ASSESSMENT_FIELDS)))
    return _save_fields(request, record, data, ASSESSMENT_FIELDS, "emdr.assessment_save")


def closing_save(request: AuthedRequest, record: EmdrRecord, data: dict[str, Any]) -> list[str]:
    """Installation VOC, body scan, closure (and why it is incomplete), and SUD/VOC
    at the end. EmdrError for a score out of range, or a closure the rules refuse,
    judged on the record as it would be after the write."""
    errors = rules.score_errors(values=_given(data, CLOSING_FIELDS))
    after = {name: data.get(name, getattr(record, name)) for name in CLOSING_FIELDS}
    closing = rules.closing_errors(
        closure=after["closure"] or "",
        body_scan=after["body_scan"] or "",
        sud_end=None if "sud_end" in errors else after["sud_end"],
        voc_end=None if "voc_end" in errors else after["voc_end"],
        closure_reason=after["closure_reason"] or "",
    )
    _refuse_if({**closing, **errors})  # a range error wins beside its field
    return _save_fields(request, record, data, CLOSING_FIELDS, "emdr.closing_save")


def set_add(
    request: AuthedRequest,
    record: EmdrRecord,
    data: dict[str, Any],
    at: dt.datetime | None = None,
) -> DesensitisationSet:
    """Log a desensitisation set: numbered 1, 2, 3… per record; minutes since the
    dose worked out from the session's dose, if one was given before the set."""
    errors = rules.score_errors(values=_given(data, ("sud",)))
    if data.get("passes") is None and data.get("seconds") is None:
        errors["passes"] = "Enter the number of passes or the seconds."
    _refuse_if(errors)
    at = at or timezone.now()
    with transaction.atomic():
        # Lock the record: two sets added at once still get different numbers.
        EmdrRecord.objects.select_for_update().filter(pk=record.pk).first()
        last = record.sets.aggregate(n=Max("number"))["n"] or 0
        dose = dose_administration(record)
        minutes = None
        if dose is not None and at >= dose.given_at:
            minutes = int((at - dose.given_at).total_seconds() // 60)
        fields = {name: data.get(name) for name in SET_FIELDS}
        for text in ("client_report", "interweave"):
            fields[text] = fields[text] or ""
        made = DesensitisationSet.objects.create(
            record=record,
            number=last + 1,
            at=at,
            minutes_since_dose=minutes,
            recorded_by=request.user,
            **fields,
        )
        log_action(
            request,
            "emdr.set_add",
            record,
            client=record.client,
            detail={"set": made.pk, "number": made.number},
        )
    return made


# --- What the dosing record says ----------------------------------------------


def dosing_record(record: EmdrRecord) -> DosingRecord | None:
    from dosing.models import DosingRecord

    if record.session_id is None:
        return None
    return DosingRecord.objects.filter(session_id=record.session_id).first()


def administrations(record: EmdrRecord) -> list[Administration]:
    """The dose and the booster given in this record's session, in time order."""
    from dosing.models import Administration

    if record.session_id is None:
        return []
    return list(Administration.objects.filter(record__session_id=record.session_id))


def dose_administration(record: EmdrRecord) -> Administration | None:
    return first_dose(administrations(record))


def first_dose(given: Sequence[Administration]) -> Administration | None:
    """The dose among a session's administrations (not the booster)."""
    from dosing.models import Administration

    return next((a for a in given if a.kind == Administration.Kind.DOSE), None)


def vitals(record: EmdrRecord) -> list[VitalSigns]:
    from dosing.models import VitalSigns

    if record.session_id is None:
        return []
    return list(VitalSigns.objects.filter(record__session_id=record.session_id))


def session_start(record: EmdrRecord) -> dt.datetime | None:
    """When the session began, for the timeline's minute 0."""
    if record.session_id is not None and record.session.started_at:  # type: ignore[union-attr]
        return record.session.started_at  # type: ignore[union-attr]
    if record.appointment_id is not None:
        return record.appointment.starts_at  # type: ignore[union-attr]
    return None
