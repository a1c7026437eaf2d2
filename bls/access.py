"""Which EMDR records a staff user may see: those of the clients they may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from bls.models import EmdrRecord
from clients.access import clients_for_user
from clients.models import Client
from clients.queries import all_clients, assigned_to, visible_shape
from common.prepared import Prepared, first_query

if TYPE_CHECKING:
    from scheduling.models import Appointment


def get_record_for_user(request: AuthedRequest, pk: int) -> EmdrRecord:
    """The record, or 404 if it does not exist or its client is not this user's."""
    # Compiled once for the two shapes `clients_visible_to` takes on nearly every
    # request (common.prepared; issue 14), as dosing.access does; the ORM otherwise.
    shape = visible_shape(request.user)
    if shape == "all":
        found = _practice_record(pk=pk)
    elif shape == "own":
        found = _own_record(pk=pk, therapist=request.user.pk)
    else:
        return get_object_or_404(_records(clients_for_user(request)), pk=pk)
    if not found:
        raise Http404("No EMDR record matches the given query.")
    return found[0]


def _records(clients: QuerySet[Client]) -> QuerySet[EmdrRecord]:
    return EmdrRecord.objects.select_related(
        "session__course__client", "session__prescription", "appointment__client"
    ).filter(Q(session__course__client__in=clients) | Q(appointment__client__in=clients))


# bls/tests/test_record_access.py compares each with `_records(clients_for_user(...))`.
@Prepared
def _practice_record(*, pk: int) -> QuerySet[EmdrRecord]:
    return first_query(_records(all_clients()).filter(pk=pk))


@Prepared
def _own_record(*, pk: int, therapist: int) -> QuerySet[EmdrRecord]:
    return first_query(_records(assigned_to(therapist)).filter(pk=pk))


def get_appointment_for_user(request: AuthedRequest, pk: int) -> Appointment:
    from scheduling.models import Appointment

    qs = Appointment.objects.select_related("client")
    return get_object_or_404(qs, pk=pk, client__in=clients_for_user(request))
