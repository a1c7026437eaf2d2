"""The counts beside the staff navigation: new requests, open messages, open safety
alerts, and today's items (appointments still to run and notes to sign).

Only for a signed-in practice user (admin, intake, therapist): nothing on the public
site, nothing for a prescriber. Lazy: the counts are read only when a page shows
the navigation, all in one query (scalar subqueries), so a partial htmx response or
a public page costs nothing (pathways/tests/test_nav_counts.py). The query's text is
compiled once per user and day (`_compiled`); it runs on every page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connections, router
from django.db.models import IntegerField, QuerySet, Subquery, Value
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts.access import ALL_RECORDS_ROLES, CLIENT_ROLES, CLINICAL_ROLES
from accounts.models import User
from clients.queries import granted_client_ids
from measures.models import SafetyAlert
from pathways.today import new_requests, notes_to_sign, open_messages, todays_appointments_qs
from scheduling.models import AppointmentStatus

# Today's appointments that still need someone: not yet completed, cancelled or missed.
STILL_TO_RUN = (
    AppointmentStatus.SCHEDULED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.IN_SESSION,
)


class _Count(Subquery):
    """`SELECT count(*)` of a queryset, as a scalar subquery."""

    template = "(SELECT count(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()

    def __init__(self, qs: QuerySet[Any]) -> None:
        super().__init__(qs.order_by().values("pk"))


# The counts' SQL, compiled once per process for each thing its text depends on: the
# database, the user and their role, the practice's day, and the clients of the user's
# emergency grants in force (`clients_visible_to` gives those as ids). Building the
# ORM's query of five subqueries cost 3-8 ms of Python on every staff page (10,000
# clients, issue 14), running it 0.4-1.9 ms. Only the text is kept: the query runs on
# every page, so no count is ever stale (a safety alert shows at the next page). A
# new key (a new day, a grant opened or closed) compiles afresh.
_COMPILED: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = {}
_COMPILED_MAX = 1024  # users x days; cleared when full (a day's keys come back at once)


def counted(user: User, day: dt.date) -> dict[str, QuerySet[Any]]:
    """What each count of `user`'s navigation counts on `day` (each read through an
    index: pathways/tests/test_nav_counts_plan.py)."""
    counts: dict[str, QuerySet[Any]] = {}
    if user.role in ALL_RECORDS_ROLES:
        counts["requests"] = new_requests()
        counts["messages"] = open_messages()
    counts["alerts"] = SafetyAlert.objects.filter(acknowledged_at=None)
    counts["appointments"] = todays_appointments_qs(user, day).filter(status__in=STILL_TO_RUN)
    if user.role in CLINICAL_ROLES:
        counts["notes"] = notes_to_sign(user)
    return counts


def _compile(user: User, alias: str, day: dt.date) -> tuple[str, tuple[Any, ...]]:
    """The counts' query for `user` on `day`, built with the ORM and compiled to SQL."""
    counts: dict[str, Any] = {key: _Count(qs) for key, qs in counted(user, day).items()}
    counts.setdefault("notes", Value(0, output_field=IntegerField()))
    # Prefixed: a bare name may clash with a relation of User ("appointments").
    named = {f"count_{key}": value for key, value in counts.items()}
    query = User.objects.filter(pk=user.pk).annotate(**named).values(*named).query
    sql, params = query.get_compiler(using=alias).as_sql()
    return sql, tuple(params)


def _compiled(user: User, alias: str) -> tuple[str, tuple[Any, ...]]:
    day = timezone.localdate()
    key = (
        alias,
        user.pk,
        user.role,
        timezone.get_current_timezone_name(),
        day,
        granted_client_ids(user),
    )
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _compile(user, alias, day)
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        _COMPILED[key] = compiled
    return compiled


def nav_counts(user: User) -> dict[str, int]:
    """The navigation's counts for `user`, in one query."""
    alias = router.db_for_read(User)
    sql, params = _compiled(user, alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        row = cursor.fetchone() or (0,) * len(names)
    values = {
        name.removeprefix("count_"): int(value or 0)
        for name, value in zip(names, row, strict=True)
    }
    values["today"] = values["appointments"] + values["notes"]
    return values


def staff_counts(request: HttpRequest) -> dict[str, Any]:
    """`nav_counts` (a lazy dict) in every template's context, for practice users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    if getattr(user, "role", "") not in CLIENT_ROLES:
        return {}
    return {"nav_counts": SimpleLazyObject(lambda: nav_counts(user))}
