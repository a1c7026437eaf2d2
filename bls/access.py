"""Which EMDR records a staff user may see: those of the clients they may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from bls.models import EmdrRecord
from clients.access import clients_for_user

if TYPE_CHECKING:
    from scheduling.models import Appointment


def get_record_for_user(request: AuthedRequest, pk: int) -> EmdrRecord:
    """The record, or 404 if it does not exist or its client is not this user's."""
    clients = clients_for_user(request)
    qs = EmdrRecord.objects.select_related(
        "session__course__client", "session__prescription", "appointment__client"
    ).filter(Q(session__course__client__in=clients) | Q(appointment__client__in=clients))
    return get_object_or_404(qs, pk=pk)


def get_appointment_for_user(request: AuthedRequest, pk: int) -> Appointment:
    from scheduling.models import Appointment

    qs = Appointment.objects.select_related("client")
    return get_object_or_404(qs, pk=pk, client__in=clients_for_user(request))
