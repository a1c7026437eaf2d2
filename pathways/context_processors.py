"""The counts beside the staff navigation: new requests, open messages, open safety
alerts, and today's items (appointments still to run and notes to sign).

Only for a signed-in practice user (admin, intake, therapist): nothing on the public
site, nothing for a prescriber. Lazy: the counts are read only when a page shows
the navigation, all in one query (scalar subqueries), so a partial htmx response or
a public page costs nothing (pathways/tests/test_nav_counts.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, QuerySet, Subquery, Value
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.access import ALL_RECORDS_ROLES, CLIENT_ROLES, CLINICAL_ROLES
from accounts.models import User
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


def nav_counts(user: User) -> dict[str, int]:
    """The navigation's counts for `user`, in one query."""
    counts: dict[str, Any] = {}
    if user.role in ALL_RECORDS_ROLES:
        counts["requests"] = _Count(new_requests())
        counts["messages"] = _Count(open_messages())
    counts["alerts"] = _Count(SafetyAlert.objects.filter(acknowledged_at=None))
    counts["appointments"] = _Count(todays_appointments_qs(user).filter(status__in=STILL_TO_RUN))
    if user.role in CLINICAL_ROLES:
        counts["notes"] = _Count(notes_to_sign(user))
    else:
        counts["notes"] = Value(0, output_field=IntegerField())
    # Prefixed: a bare name may clash with a relation of User ("appointments").
    named = {f"count_{key}": value for key, value in counts.items()}
    row = User.objects.filter(pk=user.pk).annotate(**named).values(*named).get()
    values = {key.removeprefix("count_"): int(value or 0) for key, value in row.items()}
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
