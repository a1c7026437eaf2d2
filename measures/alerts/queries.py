"""Reading safety alerts: who may see and acknowledge them, and how they are described.

Who may see an alert (``alerts_for_user``): every clinician and everyone who sees
every client, i.e. CLIENT_ROLES (admin, intake coordinator, therapist), sees every
alert. A therapist sees the alerts of clients not assigned to them too: a
suicide-risk answer must reach whoever is free to act on it, and the alert page
shows only the answer, not the client record. Prescribers and users without a
role see none.

Who may acknowledge one (``can_acknowledge``): a clinician only; see
measures.alerts.services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import CLIENT_ROLES, AuthedRequest
from accounts.models import Role, User
from clients.models import Client
from common.prepared import Prepared
from common.timefmt import local_day
from measures.models import SafetyAlert


def can_acknowledge(user: Any) -> bool:
    """A clinician: a therapist, or an admin marked as one (User.is_clinician).

    Intake coordinators and other admins see alerts but may not close them: the
    acknowledgement reopens the dosing gate, which is a clinical judgement.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.role == Role.THERAPIST or (user.role == Role.ADMIN and user.is_clinician))


def may_see_alerts(user: Any) -> bool:
    """Whether the user sees alerts: every one of them, or none (the module docstring)."""
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*CLIENT_ROLES))


def alerts_for_user(user: Any) -> QuerySet[SafetyAlert]:
    """Every alert (open or not) the user may see; see the module docstring."""
    qs = SafetyAlert.objects.select_related(
        "client",
        "instrument",
        "response",
        "acknowledged_by",
        "client__assigned_therapist",
    )
    if not may_see_alerts(user):
        return qs.none()
    return qs


def get_alert_for_user(request: AuthedRequest, pk: int) -> SafetyAlert:
    """The alert, or 404 if it does not exist or is not this user's to see."""
    return get_object_or_404(alerts_for_user(request.user), pk=pk)


def open_alerts_for_client(client: Client) -> list[SafetyAlert]:
    """The client's unacknowledged alerts, oldest first."""
    qs = SafetyAlert.objects.filter(client=client, acknowledged_at=None)
    return list(qs.select_related("instrument", "response").order_by("raised_at", "pk"))


# What the dashboard's list shows of each alert (measures/alerts/_dashboard.html): its
# times, the client's name and the therapist's. Why not the whole row: every staff
# member's Today page reads every open alert of the practice, and the full read
# (alerts_for_user) joins the instrument with its whole definition, the response with
# its answers and two users, some 90 columns, whose building and decoding cost about
# three times as much as this read (issue 14).
DASHBOARD_FIELDS = (
    "raised_at",
    "escalated_at",
    *Client.name_fields("client__"),
    *User.display_name_fields("client__assigned_therapist__"),
)


def dashboard_alerts(user: Any) -> list[SafetyAlert]:
    """The open alerts the user may see, oldest first: they stay until acknowledged.
    Only DASHBOARD_FIELDS are read: anything else of them loads on its own query."""
    if may_see_alerts(user):
        return _open_alerts()
    return []


@Prepared
def _open_alerts() -> QuerySet[SafetyAlert]:
    # Compiled once (common.prepared): every staff member's Today page asks, and
    # everyone who may see alerts sees them all (alerts_for_user).
    qs = SafetyAlert.objects.select_related("client__assigned_therapist")
    return qs.only(*DASHBOARD_FIELDS).filter(acknowledged_at=None).order_by("raised_at", "pk")


def item_for(alert: SafetyAlert) -> Mapping[str, Any]:
    """The alert's item in the definition of its instrument ({} if it is gone)."""
    items: list[Mapping[str, Any]] = alert.instrument.definition.get("items") or []
    for item in items:
        if item.get("number") == alert.item:
            return item
    return {}


def answer_label(alert: SafetyAlert) -> str:
    """The published answer label for the alert's value (e.g. "More than half the days")."""
    for option in alert.instrument.definition.get("options") or []:
        if option.get("value") == alert.value:
            return str(option.get("label", alert.value))
    return str(alert.value)


def answered_at(alert: SafetyAlert) -> dt.datetime:
    """When the answer was given: the response's time, or, for a draft, when it was saved."""
    return alert.response.answered_at if alert.response is not None else alert.raised_at


def describe(alert: SafetyAlert) -> str:
    """Short, no free text: "PHQ-9 item 9 answered 2 on 2026-11-26"."""
    day = local_day(answered_at(alert))
    return f"{alert.instrument.short_name} item {alert.item} answered {alert.value} on {day}"
