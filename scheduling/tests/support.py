"""Helpers for the scheduling tests: practice-time datetimes and appointments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from clients.models import Client
from scheduling.models import AppointmentType, Room
from scheduling.services import Booking
from treatment.models import TreatmentSession


def future_day(weekday: int = 1, weeks: int = 2) -> dt.date:
    """A date `weeks` weeks ahead falling on `weekday` (0 = Monday), clear of DST edges
    mattering to the assertions."""
    today = timezone.localdate()
    day = today + dt.timedelta(weeks=weeks)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def at(day: dt.date, hhmm: str) -> dt.datetime:
    """`day` at `hhmm` in the practice's time zone (aware)."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    naive = dt.datetime.combine(day, dt.time(hour, minute))
    return timezone.make_aware(naive, timezone.get_default_timezone()).astimezone(dt.UTC)


def booking(
    client: Client,
    clinician: User,
    starts_at: dt.datetime,
    *,
    type: str = AppointmentType.PSYCHOTHERAPY,
    room: Room | None = None,
    minutes: int | None = None,
    session: TreatmentSession | None = None,
) -> Booking:
    ends_at = starts_at + dt.timedelta(minutes=minutes) if minutes is not None else None
    return Booking(
        client=client,
        clinician=clinician,
        type=type,
        starts_at=starts_at,
        ends_at=ends_at,
        room=room,
        session=session,
    )


def form_data(
    client: Client,
    clinician: User,
    day: dt.date,
    start: str,
    *,
    type: str = AppointmentType.PSYCHOTHERAPY,
    room: Room | None = None,
    duration: int | str = "",
    session: Any = "",
) -> dict[str, Any]:
    return {
        "client": client.pk,
        "clinician": clinician.pk,
        "room": room.pk if room else "",
        "type": type,
        "date": day.isoformat(),
        "start": start,
        "duration": duration,
        "session": session.pk if session else "",
    }
