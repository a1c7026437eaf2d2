"""Reads the EMDR record's page, its timeline and its writes share: the current phase,
and the facts the dosing record holds about the same session (its dose, booster and
vital signs), read through the dosing models (dosing sits below bls in the layers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bls.models import DisplayPairing, EmdrRecord, PhaseMark

if TYPE_CHECKING:
    from dosing.models import Administration, DosingRecord, VitalSigns


def current_phase(record: EmdrRecord) -> PhaseMark | None:
    return record.phase_marks.order_by("-at", "-id").first()


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
    session = record.session
    if session is not None and session.started_at:
        return session.started_at
    appointment = record.appointment
    if appointment is not None:
        return appointment.starts_at
    return None


def active_pairing(record: EmdrRecord, user: object) -> DisplayPairing | None:
    """This user's live display pairing for the record (paired, not ended), if any."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return None
    return (
        DisplayPairing.objects.filter(
            record=record, therapist_id=user_id, paired_at__isnull=False, ended_at__isnull=True
        )
        .order_by("-paired_at")
        .first()
    )
