"""Which clients a staff user may see. Every view that shows a client goes through here."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from clients.models import Client
from clients.queries import clients_visible_to


def clients_for_user(request: AuthedRequest) -> QuerySet[Client]:
    # A therapist sees only the clients assigned to them.
    return clients_visible_to(request.user)


def get_client_for_user(request: AuthedRequest, pk: int) -> Client:
    """The client, or 404 if it does not exist or is not this user's to see."""
    return get_object_or_404(clients_for_user(request), pk=pk)
