"""Which clients a staff user may see. Every view that shows a client goes through here."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import ALL_RECORDS_ROLES, AuthedRequest
from clients.models import Client


def clients_for_user(request: AuthedRequest) -> QuerySet[Client]:
    qs = Client.objects.select_related("assigned_therapist")
    if request.user.role in ALL_RECORDS_ROLES:
        return qs
    # A therapist sees only the clients assigned to them.
    return qs.filter(assigned_therapist=request.user)


def get_client_for_user(request: AuthedRequest, pk: int) -> Client:
    """The client, or 404 if it does not exist or is not this user's to see."""
    return get_object_or_404(clients_for_user(request), pk=pk)
