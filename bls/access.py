"""Which EMDR records a staff user may see: those of the clients they may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from bls.models import EmdrRecord
from clients.access import clients_for_user, first_visible
from clients.models import Client
from clients.queries import all_clients, assigned_to
from common.prepared import Prepared, first_query

if TYPE_CHECKING:
    from scheduling.models import Appointment


def get_record_for_user(request: AuthedRequest, pk: int) -> EmdrRecord:
    """The record, or 404 if it does not exist or its client is not this user's."""
    return first_visible(
        request, pk, practice=_practice_record, own=_own_record, orm=_records_for_user
    )


def _records_for_user(request: AuthedRequest) -> QuerySet[EmdrRecord]:
    return _records(clients_for_user(request))


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
