"""Test factories for scheduling: a room and an appointment (made directly, without
the booking service's checks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts.models import User
from clients.models import Client
from scheduling.models import Appointment, AppointmentType, Room


def make_room(name: str = "Room 1", **extra: Any) -> Room:
    return Room.objects.create(name=name, **extra)


def make_appointment(
    client: Client,
    clinician: User,
    starts_at: dt.datetime,
    *,
    minutes: int = 50,
    type: str = AppointmentType.PSYCHOTHERAPY,
    room: Room | None = None,
    created_by: User | None = None,
    **extra: Any,
) -> Appointment:
    return Appointment.objects.create(
        client=client,
        clinician=clinician,
        room=room,
        type=type,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        created_by=created_by or clinician,
        **extra,
    )
