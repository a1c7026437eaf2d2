"""Which clients a staff user may see. Every view that shows a client goes through here."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from clients.models import Client
from clients.queries import all_clients, assigned_to, clients_visible_to, visible_shape
from common.prepared import Prepared, first_query


def clients_for_user(request: AuthedRequest) -> QuerySet[Client]:
    # A therapist sees only the clients assigned to them.
    return clients_visible_to(request.user)


def get_client_for_user(request: AuthedRequest, pk: int) -> Client:
    """The client, or 404 if it does not exist or is not this user's to see."""
    # Every page of a client's record asks first: compiled once for the two shapes
    # `clients_visible_to` takes on nearly every request (common.prepared; issue 14),
    # the ORM for a therapist holding emergency access.
    shape = visible_shape(request.user)
    if shape == "all":
        found = _practice_client(pk=pk)
    elif shape == "own":
        found = _own_client(pk=pk, therapist=request.user.pk)
    else:
        return get_object_or_404(clients_for_user(request), pk=pk)
    if not found:
        raise Http404("No client matches the given query.")
    return found[0]


# `clients_visible_to(user).filter(pk=pk)` for each shape (clients/tests/test_access_prepared.py).
@Prepared
def _practice_client(*, pk: int) -> QuerySet[Client]:
    return first_query(all_clients().filter(pk=pk))


@Prepared
def _own_client(*, pk: int, therapist: int) -> QuerySet[Client]:
    return first_query(assigned_to(therapist).filter(pk=pk))
