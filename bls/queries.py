"""Reads the EMDR record's page, its timeline and its writes share: the current phase,
and the facts the dosing record holds about the same session (its dose, booster and
vital signs), read through the dosing models (dosing sits below bls in the layers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from bls.models import DesensitisationSet, DisplayPairing, EmdrRecord, PhaseMark
from common.prepared import Prepared, first_query, with_parent
from dosing.models import Administration, VitalSigns

if TYPE_CHECKING:
    from dosing.models import DosingRecord

# The record page and its timeline read these on every view, some twice: compiled once
# (common.prepared), each read was a fifth of what the ORM took to build it, and the
# ORM's reads were a fifth of the EMDR record's work (`make bench-work`, issue 14).
# The rows are the same, in each model's own order, and a record's marks and sets know
# their record as its related managers would have set it.


@Prepared
def _marks(*, record: int) -> QuerySet[PhaseMark]:
    return PhaseMark.objects.filter(record_id=record)


@Prepared
def _sets(*, record: int) -> QuerySet[DesensitisationSet]:
    return DesensitisationSet.objects.filter(record_id=record)


@Prepared
def _current_mark(*, record: int) -> QuerySet[PhaseMark]:
    return first_query(PhaseMark.objects.filter(record_id=record).order_by("-at", "-id"))


@Prepared
def _administrations(*, session: int) -> QuerySet[Administration]:
    return Administration.objects.filter(record__session_id=session)


@Prepared
def _vitals(*, session: int) -> QuerySet[VitalSigns]:
    return VitalSigns.objects.filter(record__session_id=session)


@Prepared
def _pairing(*, record: int, therapist: int) -> QuerySet[DisplayPairing]:
    live = DisplayPairing.objects.filter(paired_at__isnull=False, ended_at__isnull=True)
    mine = live.filter(record_id=record, therapist_id=therapist)
    return first_query(mine.order_by("-paired_at"))


def phase_marks(record: EmdrRecord) -> list[PhaseMark]:
    """`record.phase_marks.all()`."""
    return with_parent(_marks(record=record.pk), "record", record)


def sets(record: EmdrRecord) -> list[DesensitisationSet]:
    """`record.sets.all()`."""
    return with_parent(_sets(record=record.pk), "record", record)


def current_phase(record: EmdrRecord) -> PhaseMark | None:
    found = with_parent(_current_mark(record=record.pk), "record", record)
    return found[0] if found else None


def dosing_record(record: EmdrRecord) -> DosingRecord | None:
    from dosing.models import DosingRecord

    if record.session_id is None:
        return None
    return DosingRecord.objects.filter(session_id=record.session_id).first()


def administrations(record: EmdrRecord) -> list[Administration]:
    """The dose and the booster given in this record's session, in time order."""
    if record.session_id is None:
        return []
    return _administrations(session=record.session_id)


def dose_administration(record: EmdrRecord) -> Administration | None:
    return first_dose(administrations(record))


def first_dose(given: Sequence[Administration]) -> Administration | None:
    """The dose among a session's administrations (not the booster)."""
    return next((a for a in given if a.kind == Administration.Kind.DOSE), None)


def vitals(record: EmdrRecord) -> list[VitalSigns]:
    if record.session_id is None:
        return []
    return _vitals(session=record.session_id)


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
    found = _pairing(record=record.pk, therapist=user_id)
    return found[0] if found else None
