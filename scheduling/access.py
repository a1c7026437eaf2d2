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

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import ALL_RECORDS_ROLES, AuthedRequest
from accounts.models import Role
from clients.queries import active_grants
from scheduling.models import Appointment

# Who may see calendars and book, move and cancel (a therapist: within the scope above).
SCHEDULE_ROLES: tuple[str, ...] = (*ALL_RECORDS_ROLES, Role.THERAPIST)
# Who may have a calendar subscription feed: the clinicians.
FEED_ROLES: tuple[str, ...] = (Role.THERAPIST,)


def appointments_for_user(request: AuthedRequest) -> QuerySet[Appointment]:
    qs = Appointment.objects.select_related("client", "clinician", "room")
    if request.user.role in ALL_RECORDS_ROLES:
        return qs
    # A client under the therapist's emergency access (clients.breakglass) counts as theirs.
    mine = Q(client__assigned_therapist=request.user) | Q(clinician=request.user)
    return qs.filter(mine | Q(client_id__in=active_grants(request.user).values("client_id")))


def get_appointment_for_user(request: AuthedRequest, pk: int) -> Appointment:
    """The appointment, or 404 if it does not exist or is not this user's to see."""
    return get_object_or_404(appointments_for_user(request), pk=pk)
