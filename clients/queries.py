"""Reads of the client record that several apps share."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.access import ALL_RECORDS_ROLES
from accounts.models import Role, User
from clients.models import Client


def clients_visible_to(user: User) -> QuerySet[Client]:
    """The clients `user` may see: all of them for the intake team and the admin, the
    clients assigned to them for a therapist."""
    qs = Client.objects.select_related("assigned_therapist")
    if user.role in ALL_RECORDS_ROLES:
        return qs
    return qs.filter(assigned_therapist=user)


def active_therapists() -> QuerySet[User]:
    """Who a client (or a request) can be assigned to."""
    return User.objects.filter(role=Role.THERAPIST, is_active=True)
