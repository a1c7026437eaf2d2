"""Which appointments a staff user may see and change.

The practice admin and the intake coordinator see every appointment. A therapist
sees the appointments of the clients assigned to them and the appointments where
they are the clinician (they run that session, so they mark arrival and the
rest), and those of a client they hold emergency (break-glass) access to.
Anything else answers 404. On a calendar a therapist may look at any clinician's
or room's week (to find a free slot), but the appointments they may not see
show only as "Busy", with their time: no client, no type, no link.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict, cast

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.shortcuts import get_object_or_404
from django_stubs_ext import WithAnnotations

from accounts.access import ALL_RECORDS_ROLES, AuthedRequest
from accounts.models import Role, User
from clients.queries import active_grants, visible_shape
from common.prepared import Prepared
from scheduling.models import Appointment, AppointmentStatus

# Who may see calendars and book, move and cancel (a therapist: within the scope above).
SCHEDULE_ROLES: tuple[str, ...] = (*ALL_RECORDS_ROLES, Role.THERAPIST)
# Who may have a calendar subscription feed: the clinicians.
FEED_ROLES: tuple[str, ...] = (Role.THERAPIST,)


def _theirs(user: User) -> Q | None:
    """The condition on an appointment that `user` may see; None: every appointment."""
    if user.role in ALL_RECORDS_ROLES:
        return None
    # A client under the therapist's emergency access (clients.breakglass) counts as theirs.
    mine = Q(client__assigned_therapist=user) | Q(clinician=user)
    return mine | Q(client_id__in=active_grants(user).values("client_id"))


def appointments_for_user(request: AuthedRequest) -> QuerySet[Appointment]:
    qs = Appointment.objects.select_related("client", "clinician", "room")
    theirs = _theirs(request.user)
    return qs if theirs is None else qs.filter(theirs)


class Theirs(TypedDict):
    theirs: bool


def with_visibility(
    request: AuthedRequest, qs: QuerySet[Appointment]
) -> QuerySet[WithAnnotations[Appointment, Theirs]]:
    """`qs` (a calendar's appointments, any clinician's) with `theirs`: whether the user
    may see each one (the others show as "Busy"). Worked out on the rows read, in the
    same query: a subquery over the user's appointments would read them all."""
    theirs = _theirs(request.user)
    flag = Value(True) if theirs is None else ExpressionWrapper(theirs, BooleanField())
    return qs.annotate(theirs=flag)


def get_appointment_for_user(request: AuthedRequest, pk: int) -> Appointment:
    """The appointment, or 404 if it does not exist or is not this user's to see."""
    return get_object_or_404(appointments_for_user(request), pk=pk)


def calendar_appointments(
    request: AuthedRequest,
    *,
    low: dt.datetime,
    start: dt.datetime,
    end: dt.datetime,
    clinician: User | None = None,
    room: int | None = None,
    rooms: list[int] | None = None,
) -> list[WithAnnotations[Appointment, Theirs]]:
    """A calendar's appointments, in time order, each with `theirs` (`with_visibility`):
    those not cancelled that overlap [start, end), of one clinician, one room or the
    rooms given (None: the practice's). Every one starts at or after `low`: the caller's
    bound (start less the longest an appointment lasts) keeps the read to an index
    range of these days rather than every appointment before their end.

    One clinician's or one room's are read with SQL compiled once (common.prepared;
    issue 14: Django built this query of four tables for every view of the calendar),
    for a user who sees every appointment and for a therapist holding no emergency
    access (`clients.queries.visible_shape`, read once a request: its `theirs` is then
    their clients' and their own sessions); a therapist holding a grant in force, and
    the rooms' day, through the ORM."""
    shape = visible_shape(request.user)
    span = {"low": low, "start": start, "end": end}
    me = request.user.pk
    if shape == "all" and room is not None:
        rows = _everyones_in_room(room=room, **span)
    elif shape == "all" and clinician is not None:
        rows = _everyones_of_clinician(clinician=clinician.pk, **span)
    elif shape == "own" and room is not None:
        rows = _own_in_room(user=me, room=room, **span)
    elif shape == "own" and clinician is not None:
        rows = _own_of_clinician(user=me, clinician=clinician.pk, **span)
    else:
        query = _overlapping(low, start, end)
        if room is not None:
            query = query.filter(room_id=room)
        elif clinician is not None:
            query = query.filter(clinician=clinician)
        elif rooms is not None:
            query = query.filter(room__in=rooms)
        return list(with_visibility(request, _for_the_grid(query)))
    return cast("list[WithAnnotations[Appointment, Theirs]]", rows)


def _overlapping(low: dt.datetime, start: dt.datetime, end: dt.datetime) -> QuerySet[Appointment]:
    return Appointment.objects.filter(
        starts_at__gte=low, starts_at__lt=end, ends_at__gt=start
    ).exclude(status=AppointmentStatus.CANCELLED)


def _for_the_grid(query: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return query.select_related("client", "clinician", "room").order_by("starts_at", "pk")


def _own(user: int) -> ExpressionWrapper[Any]:
    """`_theirs` for a therapist holding no grant in force."""
    mine = Q(client__assigned_therapist_id=user) | Q(clinician_id=user)
    return ExpressionWrapper(mine, BooleanField())


# The builders' rows carry `theirs`; they are typed as plain appointments because
# Prepared reads a builder's hints at run time, where WithAnnotations cannot be built.
@Prepared
def _everyones_of_clinician(
    *, clinician: int, low: dt.datetime, start: dt.datetime, end: dt.datetime
) -> QuerySet[Appointment]:
    query = _for_the_grid(_overlapping(low, start, end).filter(clinician_id=clinician))
    return query.annotate(theirs=Value(True))


@Prepared
def _everyones_in_room(
    *, room: int, low: dt.datetime, start: dt.datetime, end: dt.datetime
) -> QuerySet[Appointment]:
    query = _for_the_grid(_overlapping(low, start, end).filter(room_id=room))
    return query.annotate(theirs=Value(True))


@Prepared
def _own_of_clinician(
    *, user: int, clinician: int, low: dt.datetime, start: dt.datetime, end: dt.datetime
) -> QuerySet[Appointment]:
    query = _for_the_grid(_overlapping(low, start, end).filter(clinician_id=clinician))
    return query.annotate(theirs=_own(user))


@Prepared
def _own_in_room(
    *, user: int, room: int, low: dt.datetime, start: dt.datetime, end: dt.datetime
) -> QuerySet[Appointment]:
    query = _for_the_grid(_overlapping(low, start, end).filter(room_id=room))
    return query.annotate(theirs=_own(user))
