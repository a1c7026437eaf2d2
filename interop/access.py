"""Who may export a client's record: the practice admin, and the client's assigned
therapist. Anyone else with the role gets a 404, as for a client that does not exist.

A therapist with emergency (break-glass) access sees the record through
clients.queries.clients_visible_to, but may not export it: emergency access is for
care in the moment, and an export takes the whole record out of the system. That is
the one check here that reads `assigned_therapist` itself, on purpose."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from clients.models import Client
from clients.queries import clients_visible_to

EXPORT_ROLES: tuple[str, ...] = (Role.ADMIN, Role.THERAPIST)


def may_export(user: User, client: Client) -> bool:
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.THERAPIST) and client.assigned_therapist_id == user.pk


def get_client_to_export(user: User, pk: int) -> Client:
    """The client, or 404 when it does not exist or this user may not export it."""
    client = get_object_or_404(clients_visible_to(user), pk=pk)
    if not may_export(user, client):
        raise Http404("No such client.")
    return client
