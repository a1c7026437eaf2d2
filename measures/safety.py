"""Safety alerts: an answer above a safety item's threshold (PHQ-9 item 9 > 0).

Which items are safety items, and their thresholds, come from the instrument's
JSON definition (``"safety_item": true``, ``"safety_threshold"``; PHQ-9 item 9
per Simon et al. 2013, Psychiatr Serv 64(12):1195, summarised in
../shared/clinical-reference.md, "Safety"). Nothing here is hard-coded to PHQ-9.

When one is raised, the client's assigned therapist and every active on-call
clinician are e-mailed a link (never PHI). The alert shows on their dashboard and
blocks the dosing readiness gate until someone acknowledges it with a note of the
action taken. Open alerts older than SAFETY_ALERT_ESCALATE_HOURS are escalated to
every active practice admin (``escalate_due``, run by the
``escalate_safety_alerts`` command every 10-15 minutes).

Who may see an alert (``alerts_for_user``):
- admin and intake coordinator: every alert (they see every client);
- therapist: alerts for the clients assigned to them, and, while ``on_call`` is
  set on their account, every alert (the on-call clinician is told of every
  alert, so they must be able to open it);
- anyone else (prescribers, users without a role): none.

The alert flags an answer for same-day clinical follow-up; it is not a diagnosis
and it decides nothing for the clinician.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from accounts.access import ALL_RECORDS_ROLES, CLIENT_ROLES, AuthedRequest
from accounts.models import Role, User
from audit.models import AuditEvent
from audit.services import log_action
from clients.models import Client
from measures.models import Response, SafetyAlert
from notifications.services import email_queue

RAISE_ACTION = "measure.safety_alert"
ACKNOWLEDGE_ACTION = "measure.safety_alert_acknowledge"
ESCALATE_ACTION = "measure.safety_alert_escalate"
VIEW_ACTION = "measure.safety_alert_view"
LIST_ACTION = "measure.safety_alert_list"

ALERT_EMAIL = "notifications/email/safety_alert"
ESCALATION_EMAIL = "notifications/email/safety_escalation"

NOT_A_DIAGNOSIS = (
    "This is a screening answer that needs same-day follow-up; it is not a diagnosis."
)


class AlertError(ValueError):
    """An acknowledgement that cannot be recorded; the message says why."""


# --- Reading the definition ---------------------------------------------------


def safety_items(definition: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The definition's safety items (each with ``number`` and ``safety_threshold``)."""
    return [item for item in definition.get("items") or [] if item.get("safety_item") is True]


def _answer(answers: Mapping[Any, Any], number: int) -> int | None:
    value = answers.get(str(number), answers.get(number))
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def flagged_items(definition: Mapping[str, Any], answers: Mapping[Any, Any]) -> dict[int, int]:
    """Item number -> answer, for each safety item answered above its threshold."""
    flagged: dict[int, int] = {}
    for item in safety_items(definition):
        value = _answer(answers, item["number"])
        if value is not None and value > item["safety_threshold"]:
            flagged[item["number"]] = value
    return flagged


def item_for(alert: SafetyAlert) -> Mapping[str, Any]:
    """The alert's item in the definition of its instrument ({} if it is gone)."""
    for item in alert.response.instrument.definition.get("items") or []:
        if item.get("number") == alert.item:
            return item
    return {}


def answer_label(alert: SafetyAlert) -> str:
    """The published answer label for the alert's value (e.g. "More than half the days")."""
    for option in alert.response.instrument.definition.get("options") or []:
        if option.get("value") == alert.value:
            return str(option.get("label", alert.value))
    return str(alert.value)


def describe(alert: SafetyAlert) -> str:
    """Short, no free text: "PHQ-9 item 9 answered 2 on 2026-11-26"."""
    day = timezone.localdate(alert.response.answered_at)
    name = alert.response.instrument.short_name
    return f"{name} item {alert.item} answered {alert.value} on {day:%Y-%m-%d}"


# --- Raising ------------------------------------------------------------------


def alert_url(alert: SafetyAlert) -> str:
    return settings.SITE_URL + reverse("alerts:alert", args=[alert.pk])


def _has_address(user: User | None) -> bool:
    return user is not None and user.is_active and bool(user.email)


def alert_recipients(client: Client) -> list[User]:
    """The assigned therapist and every active on-call clinician, once each.

    On-call users are limited to the roles that can open an alert (CLIENT_ROLES):
    a link they could not open would tell them nothing.
    """
    candidates: list[User] = []
    therapist = client.assigned_therapist
    if therapist is not None:
        candidates.append(therapist)
    on_call = User.objects.filter(on_call=True, is_active=True, role__in=CLIENT_ROLES)
    candidates.extend(on_call.order_by("pk"))
    return _unique_addresses(candidates)


def _unique_addresses(users: Iterable[User]) -> list[User]:
    seen_users: set[int] = set()
    seen_addresses: set[str] = set()
    result: list[User] = []
    for user in users:
        if not _has_address(user):
            continue
        address = user.email.strip().lower()
        if user.pk in seen_users or address in seen_addresses:
            continue
        seen_users.add(user.pk)
        seen_addresses.add(address)
        result.append(user)
    return result


def raise_alerts(request: HttpRequest | None, response: Response) -> list[SafetyAlert]:
    """Raise one alert per safety item of `response` answered above its threshold.

    Call it right after storing the response. Idempotent: calling it again for the
    same response raises and e-mails nothing new, and returns the same alerts.
    Returns the response's alerts (empty when nothing was flagged), so the caller
    knows to show the client the crisis resources first.
    """
    flagged = flagged_items(response.instrument.definition, response.answers)
    if not flagged:
        return []
    with transaction.atomic():
        # Lock the response so two calls for it cannot both create the alerts.
        Response.objects.select_for_update().filter(pk=response.pk).first()
        existing = {a.item: a for a in SafetyAlert.objects.filter(response=response)}
        new: list[SafetyAlert] = []
        for number, value in flagged.items():
            if number in existing:
                continue
            alert = SafetyAlert.objects.create(
                client=response.client, response=response, item=number, value=value
            )
            existing[number] = alert
            new.append(alert)
        if new:
            _notify(request, response, new)
    return [existing[number] for number in flagged]


def _notify(request: HttpRequest | None, response: Response, alerts: list[SafetyAlert]) -> None:
    client = Client.objects.select_related("assigned_therapist").get(pk=response.client_id)
    recipients = alert_recipients(client)
    # One e-mail per person, however many items were flagged in this response.
    link = alert_url(alerts[0]) if len(alerts) == 1 else settings.SITE_URL + reverse("alerts:list")
    for user in recipients:
        email_queue(user.email, ALERT_EMAIL, {"link": link, "practice": settings.PRACTICE_NAME})
    notified = [user.pk for user in recipients]
    for alert in alerts:
        detail = {"response": response.pk, "item": alert.item, "notified": notified}
        log_action(request, RAISE_ACTION, alert, client=client, detail=detail)


# --- Who sees what ------------------------------------------------------------


def alerts_for_user(user: Any) -> QuerySet[SafetyAlert]:
    """Every alert (open or not) the user may see; see the module docstring."""
    qs = SafetyAlert.objects.select_related(
        "client", "response__instrument", "acknowledged_by", "client__assigned_therapist"
    )
    if not getattr(user, "is_authenticated", False) or not user.has_role(*CLIENT_ROLES):
        return qs.none()
    if user.role in ALL_RECORDS_ROLES:
        return qs
    if user.role == Role.THERAPIST and user.on_call:
        return qs
    return qs.filter(client__assigned_therapist=user)


def get_alert_for_user(request: AuthedRequest, pk: int) -> SafetyAlert:
    """The alert, or 404 if it does not exist or is not this user's to see."""
    return get_object_or_404(alerts_for_user(request.user), pk=pk)


def open_alerts_for_client(client: Client) -> list[SafetyAlert]:
    """The client's unacknowledged alerts, oldest first."""
    qs = SafetyAlert.objects.filter(client=client, acknowledged_at=None)
    return list(qs.select_related("response__instrument").order_by("raised_at", "pk"))


def dashboard_alerts(user: Any) -> list[SafetyAlert]:
    """The open alerts the user may see, oldest first: they stay until acknowledged."""
    return list(alerts_for_user(user).filter(acknowledged_at=None).order_by("raised_at", "pk"))


def notified_users(alert: SafetyAlert) -> dict[str, list[User]]:
    """Who was e-mailed about the alert, read from its audit events (ids only there)."""
    events = AuditEvent.objects.filter(
        object_type=SafetyAlert._meta.label_lower,
        object_id=str(alert.pk),
        action__in=[RAISE_ACTION, ESCALATE_ACTION],
    ).order_by("at", "pk")
    ids: dict[str, list[int]] = {RAISE_ACTION: [], ESCALATE_ACTION: []}
    for event in events:
        ids[event.action].extend(int(pk) for pk in event.detail.get("notified", []))
    users = User.objects.in_bulk([pk for found in ids.values() for pk in found])
    return {
        "raised": [users[pk] for pk in ids[RAISE_ACTION] if pk in users],
        "escalated": [users[pk] for pk in ids[ESCALATE_ACTION] if pk in users],
    }


# --- Acknowledging -------------------------------------------------------------


def acknowledge(request: AuthedRequest, alert: SafetyAlert, note: str) -> SafetyAlert:
    """Record who acknowledged the alert, when, and the action taken (required)."""
    note = (note or "").strip()
    if not note:
        raise AlertError("Write down the action taken before you acknowledge the alert.")
    with transaction.atomic():
        locked = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is not None:
            raise AlertError("This alert has already been acknowledged.")
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = request.user
        locked.action_note = note
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "action_note"])
        log_action(
            request,
            ACKNOWLEDGE_ACTION,
            locked,
            client=locked.client,
            detail={"response": locked.response_id, "item": locked.item},
        )
    alert.acknowledged_at = locked.acknowledged_at
    alert.acknowledged_by = locked.acknowledged_by
    alert.action_note = locked.action_note
    return alert


# --- Escalating ---------------------------------------------------------------


def escalation_hours() -> int:
    return int(settings.SAFETY_ALERT_ESCALATE_HOURS)


def escalation_recipients() -> list[User]:
    admins = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk")
    return _unique_addresses(admins)


def escalate_due(now: dt.datetime | None = None) -> list[SafetyAlert]:
    """Escalate every open alert raised more than SAFETY_ALERT_ESCALATE_HOURS ago.

    Each alert escalates once (escalated_at); every active admin is e-mailed a link.
    Returns the alerts escalated by this call.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=escalation_hours())
    due = Q(acknowledged_at=None, escalated_at=None, raised_at__lte=cutoff)
    escalated: list[SafetyAlert] = []
    for pk in (
        SafetyAlert.objects.filter(due).order_by("raised_at", "pk").values_list("pk", flat=True)
    ):
        with transaction.atomic():
            alert = SafetyAlert.objects.select_for_update().filter(due, pk=pk).first()
            if alert is None:  # acknowledged or escalated meanwhile
                continue
            alert.escalated_at = now
            alert.save(update_fields=["escalated_at"])
            admins = escalation_recipients()
            context = {
                "link": alert_url(alert),
                "hours": escalation_hours(),
                "practice": settings.PRACTICE_NAME,
            }
            for user in admins:
                email_queue(user.email, ESCALATION_EMAIL, context)
            log_action(
                None,
                ESCALATE_ACTION,
                alert,
                client=alert.client,
                detail={
                    "response": alert.response_id,
                    "item": alert.item,
                    "hours": escalation_hours(),
                    "notified": [user.pk for user in admins],
                },
            )
            escalated.append(alert)
    return escalated


# --- The dosing readiness gate ---------------------------------------------------


def gate_descriptions(client: Client) -> list[str]:
    """For treatment.gate: one line per unacknowledged alert of the client."""
    return [
        f"{describe(alert)} — not yet acknowledged" for alert in open_alerts_for_client(client)
    ]
