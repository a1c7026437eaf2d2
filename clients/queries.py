"""Reads of the client record that several apps share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.access import ALL_RECORDS_ROLES
from accounts.models import Role, User
from clients.models import BreakGlassGrant, Client
from common.prepared import Prepared


def now() -> dt.datetime:
    """The moment a grant is checked against (one name, so a test can move it)."""
    return timezone.now()


# The permission that names a therapist for emergency access (BreakGlassGrant.Meta).
BREAK_GLASS_PERMISSION = "clients.break_glass"


def named_for_break_glass(user: User) -> bool:
    """Named in advance: an active therapist holding the permission. Admins and the
    intake team see every client already; a prescriber never sees the record."""
    return bool(
        user.is_active and user.role == Role.THERAPIST and user.has_perm(BREAK_GLASS_PERMISSION)
    )


def _may_hold_grant(user: User) -> bool:
    """Only an active therapist holds a grant (the rest see every client or none)."""
    return bool(user.is_active and user.role == Role.THERAPIST)


def active_grants(user: User) -> QuerySet[BreakGlassGrant]:
    """The user's emergency (break-glass) grants in force now: started, not ended,
    not yet expired, and held by someone still named for it (the admin taking the
    permission away closes a grant at once). Read at every call, never cached: an
    expired grant gives nothing. (`clients_visible_to` keeps the ids it gives for the
    rest of one request: see `grants_of_this_request`.)"""
    if not _may_hold_grant(user):
        return BreakGlassGrant.objects.none()
    at = now()
    # The permission is checked in the same query (directly, through a group, or as a
    # superuser), not with has_perm: every staff page asks, and this way it costs no
    # query of its own.
    app_label, codename = BREAK_GLASS_PERMISSION.split(".")
    named = (
        Q(user__is_superuser=True)
        | Q(
            user__user_permissions__codename=codename,
            user__user_permissions__content_type__app_label=app_label,
        )
        | Q(
            user__groups__permissions__codename=codename,
            user__groups__permissions__content_type__app_label=app_label,
        )
    )
    return (
        BreakGlassGrant.objects.filter(
            user=user, ended_at=None, started_at__lte=at, expires_at__gt=at
        )
        .filter(named)
        .distinct()
    )


def holds_unexpired_grant(user: User) -> bool:
    """A cheap first question before `active_grants`: does the user hold a grant not
    ended and not yet expired? One look-up on the (user, expires_at) index, without
    the permission's joins; False for nearly every request."""
    if not _may_hold_grant(user):
        return False
    return bool(_unexpired_grant(user=user.pk, now=now()))


@Prepared
def _unexpired_grant(*, user: int, now: dt.datetime) -> QuerySet[BreakGlassGrant, int]:
    # Compiled once (common.prepared): every signed-in therapist's request asks.
    unexpired = BreakGlassGrant.objects.filter(user_id=user, ended_at=None, expires_at__gt=now)
    return unexpired.values_list("pk", flat=True).order_by()[:1]  # as exists() reads it


def clients_visible_to(user: User, *, fresh: bool = False) -> QuerySet[Client]:
    """The clients `user` may see: all of them for the intake team and the admin; for a
    therapist, the clients assigned to them and those they hold emergency access to
    now (clients.breakglass). Every staff page that shows a client, and every other app's
    access helper, goes through here, so a grant opens the whole record and an
    expired one closes it everywhere at once: from the next request on, and at once for
    a write that asks with `fresh=True` (see `grants_of_this_request`)."""
    shape, granted = _shape(user, fresh=fresh)
    if shape == "all":
        return all_clients()
    if shape == "own":
        return assigned_to(user.pk)
    # The grants in force are read first (none or a few rows: one query) and given to
    # the filter as ids. An OR of the therapist's column with a list of ids is two index
    # scans; an OR with a subquery read every client of the practice (EXPLAIN in
    # pathways/tests/test_explain_pages.py, issue 14 §4).
    return all_clients().filter(Q(assigned_therapist=user) | Q(pk__in=granted))


# The two shapes `clients_visible_to` takes without emergency access, which a read
# compiled once can follow (clients.access.first_visible).
Shape = Literal["all", "own"]


def _shape(user: User, *, fresh: bool) -> tuple[Shape | None, list[int]]:
    if user.role in ALL_RECORDS_ROLES:
        return "all", []
    granted = _granted_client_ids(user, fresh=fresh)
    return (None if granted else "own"), granted


def all_clients() -> QuerySet[Client]:
    """Every client: what the intake team and the admin see (`clients_visible_to`; a
    read compiled once builds on it, dosing.access)."""
    return Client.objects.select_related("assigned_therapist")


def assigned_to(user_id: int) -> QuerySet[Client]:
    """The clients assigned to a therapist: all a therapist without emergency access
    sees (`clients_visible_to`; a read compiled once builds on it, pathways.today)."""
    return Client.objects.select_related("assigned_therapist").filter(
        assigned_therapist_id=user_id
    )


def active_therapists() -> QuerySet[User]:
    """Who a client (or a request) can be assigned to."""
    return User.objects.filter(role=Role.THERAPIST, is_active=True)


# The clients of the grants in force for the signed-in user, as read at the start of
# this request (clients.middleware): (user pk, client ids). A page asks
# `clients_visible_to` once per section (the Today page five times), and each asked
# the database again; within one request the answer is the first one. Outside a
# request (a command, a consumer, a test calling directly) every call reads afresh, and
# so does a write's check under its lock (`clients_visible_to(user, fresh=True)`): a
# grant that ended or expired since the request began grants nothing there.
_REQUEST_GRANTS: ContextVar[tuple[int, tuple[int, ...]] | None] = ContextVar(
    "request_grants", default=None
)


@contextmanager
def grants_of_this_request(user: User, client_ids: Iterable[int]) -> Iterator[None]:
    token = _REQUEST_GRANTS.set((user.pk, tuple(client_ids)))
    try:
        yield
    finally:
        _REQUEST_GRANTS.reset(token)


def forget_request_grants() -> None:
    """A grant was opened or ended: the rest of this request reads them afresh."""
    _REQUEST_GRANTS.set(None)


def visible_shape(user: User) -> Shape | None:
    """The shape of `clients_visible_to(user)` in this request: "all" (`all_clients`),
    "own" (`assigned_to(user.pk)`: no grant in force), or None for a therapist holding
    emergency access (the ORM builds what they see)."""
    return _shape(user, fresh=False)[0]


def granted_client_ids(user: User) -> tuple[int, ...]:
    """The clients of `user`'s grants in force, as `clients_visible_to` reads them in
    this request: what a query built from it depends on besides the user (the staff
    navigation keys its compiled counts by it, pathways.context_processors)."""
    if user.role in ALL_RECORDS_ROLES:
        return ()
    return tuple(_granted_client_ids(user, fresh=False))


def _granted_client_ids(user: User, *, fresh: bool) -> list[int]:
    held = None if fresh else _REQUEST_GRANTS.get()
    if held is not None and held[0] == user.pk:
        return list(held[1])
    return list(active_grants(user).values_list("client_id", flat=True))
