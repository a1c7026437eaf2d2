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

from typing import TypedDict

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.shortcuts import get_object_or_404
from django_stubs_ext import WithAnnotations

from accounts.access import ALL_RECORDS_ROLES, AuthedRequest
from accounts.models import Role, User
from clients.queries import active_grants
from scheduling.models import Appointment

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
