"""Reads of the schedule that the booking forms and the services share: who can be
booked, whether a course session fits an appointment, clashes and working hours.

Two appointments overlap when `a.starts_at < b.ends_at and a.ends_at > b.starts_at`:
one that ends at 10:00 and one that starts at 10:00 do not clash.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from accounts.models import Role, User
from clients.models import Client
from common.timefmt import local, local_day_hm, local_hm
from scheduling.models import BLOCKING_STATUSES, Appointment, AppointmentType, Room, WorkingHours
from treatment.models import Modality, SessionKind, SessionStatus, TreatmentSession

# Which course session each type of appointment books; dosing types must also
# match the course's modality.
SESSION_KIND_FOR_TYPE: dict[str, str] = {
    AppointmentType.PREPARATION: SessionKind.PREPARATION,
    AppointmentType.KAP_DOSING: SessionKind.DOSING,
    AppointmentType.KA_EMDR_DOSING: SessionKind.DOSING,
    AppointmentType.INTEGRATION: SessionKind.INTEGRATION,
}
MODALITY_FOR_TYPE: dict[str, str] = {
    AppointmentType.KAP_DOSING: Modality.KAP,
    AppointmentType.KA_EMDR_DOSING: Modality.KA_EMDR,
}


def clinicians() -> QuerySet[User]:
    """Who can be booked: the practice's active therapists."""
    return User.objects.filter(role=Role.THERAPIST, is_active=True)


def _span(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    return f"{local(starts_at):%a} {local_day_hm(starts_at)}–{local_hm(ends_at)}"


def session_problem(session: TreatmentSession | None, client: Client, type_: str) -> str | None:
    """Why `session` cannot be booked by an appointment of `type_` for `client`, or None."""
    if session is None:
        return None
    kind = SESSION_KIND_FOR_TYPE.get(type_)
    if session.course.client_id != client.pk:
        return "That session belongs to another client's course."
    if kind is None:
        return "Only preparation, dosing and integration appointments book a course session."
    if session.kind != kind:
        return f"That is a {session.get_kind_display().lower()} session, not a {kind} session."
    modality = MODALITY_FOR_TYPE.get(type_)
    if modality and session.course.modality != modality:
        return (
            f"That session belongs to a {session.course.get_modality_display()} course; "
            f"book a {session.course.get_modality_display()} dosing appointment for it."
        )
    if session.status != SessionStatus.PLANNED:
        return "Only a planned session can be booked."
    return None


def find_clashes(
    clinician: User,
    client: Client,
    room: Room | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_id: int | None = None,
) -> dict[str, str]:
    overlapping = Appointment.objects.filter(
        status__in=BLOCKING_STATUSES, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).order_by("starts_at", "pk")
    if exclude_id is not None:
        overlapping = overlapping.exclude(pk=exclude_id)
    clashes: dict[str, str] = {}
    other = overlapping.filter(clinician=clinician).first()
    if other:
        clashes["clinician"] = (
            f"{clinician.display_name} is already booked {_span(other.starts_at, other.ends_at)}."
        )
    if room is not None:
        other = overlapping.filter(room=room).first()
        if other:
            clashes["room"] = (
                f"{room.name} is already booked {_span(other.starts_at, other.ends_at)}."
            )
    other = overlapping.filter(client=client).first()
    if other:
        clashes["client"] = (
            f"The client already has an appointment {_span(other.starts_at, other.ends_at)}."
        )
    return clashes


def working_hours_warning(
    clinician: User, starts_at: dt.datetime, ends_at: dt.datetime
) -> str | None:
    """A warning (never a refusal) when the time is outside the clinician's hours.
    A clinician with no working hours on record gets no warning: nothing to compare."""
    if not WorkingHours.objects.filter(clinician=clinician).exists():
        return None
    start, end = local(starts_at), local(ends_at)
    blocks = WorkingHours.objects.filter(clinician=clinician, weekday=start.weekday())
    if start.date() == end.date() and any(
        b.start <= start.time() and end.time() <= b.end for b in blocks
    ):
        return None
    return f"This is outside {clinician.display_name}'s working hours."
