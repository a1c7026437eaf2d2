"""Test factories for clients: a client record, and emergency (break-glass) access.
Tests import them from pathways.testing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.models import User
from clients.models import BreakGlassGrant, Client


def make_client(**extra: Any) -> Client:
    data: dict[str, Any] = {"first_name": "Bob", "last_name": "Client", "email": "bob@example.com"}
    data.update(extra)
    return Client.objects.create(**data)


def name_for_break_glass(user: User) -> User:
    """Give `user` the break-glass permission (what the admin does in the user admin)
    and return the user read afresh (has_perm caches what it found)."""
    permission = Permission.objects.get(codename="break_glass", content_type__app_label="clients")
    user.user_permissions.add(permission)
    return User.objects.get(pk=user.pk)


def make_grant(user: User, client: Client, **extra: Any) -> BreakGlassGrant:
    """A grant in force for BREAK_GLASS_MINUTES from now, unless `extra` says otherwise."""
    started = timezone.now()
    data: dict[str, Any] = {
        "user": user,
        "client": client,
        "reason": "Crisis call overnight; the client's therapist is away.",
        "started_at": started,
        "expires_at": started + dt.timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    }
    data.update(extra)
    return BreakGlassGrant.objects.create(**data)
