"""Which clients a staff user may see. Every view that shows a client goes through here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from clients.models import Client
from clients.queries import all_clients, assigned_to, clients_visible_to, visible_shape
from common.prepared import Prepared, first_query

M = TypeVar("M", bound=Model)


def clients_for_user(request: AuthedRequest) -> QuerySet[Client]:
    # A therapist sees only the clients assigned to them.
    return clients_visible_to(request.user)


def get_client_for_user(request: AuthedRequest, pk: int) -> Client:
    """The client, or 404 if it does not exist or is not this user's to see."""
    return first_visible(
        request, pk, practice=_practice_client, own=_own_client, orm=clients_for_user
    )


def first_visible(
    request: AuthedRequest,
    pk: int,
    *,
    practice: Prepared[M],
    own: Prepared[M],
    orm: Callable[[AuthedRequest], QuerySet[M]],
) -> M:
    """Row `pk` of the user's `orm(request)` (a queryset narrowed by
    `clients_visible_to`), or 404. Every page of a record asks first, so the two shapes
    that queryset takes on nearly every request are compiled once (common.prepared;
    issue 14): `practice(pk=)` for "all", `own(pk=, therapist=)` for "own", each that
    queryset's `.filter(pk=pk)` built on `all_clients()` or `assigned_to(therapist)`. A
    therapist holding emergency access: the ORM, as before."""
    shape = visible_shape(request.user)
    if shape is None:
        return get_object_or_404(orm(request), pk=pk)
    found = practice(pk=pk) if shape == "all" else own(pk=pk, therapist=request.user.pk)
    if not found:
        raise Http404("Not found")
    return found[0]


# `clients_visible_to(user).filter(pk=pk)` for each shape (clients/tests/test_access_prepared.py).
@Prepared
def _practice_client(*, pk: int) -> QuerySet[Client]:
    return first_query(all_clients().filter(pk=pk))


@Prepared
def _own_client(*, pk: int, therapist: int) -> QuerySet[Client]:
    return first_query(assigned_to(therapist).filter(pk=pk))
