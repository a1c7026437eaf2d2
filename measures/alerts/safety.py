"""Safety alerts: an answer above a safety item's threshold (PHQ-9 item 9 > 0).

Which items are safety items, and their thresholds, come from the instrument's
JSON definition (``"safety_item": true``, ``"safety_threshold"``; PHQ-9 item 9
per Simon et al. 2013, Psychiatr Serv 64(12):1195, summarised in
../shared/clinical-reference.md, "Safety"). Nothing here is hard-coded to PHQ-9.

An alert is raised the moment such an answer is saved, finished or not: a
client's draft ("save for later", a submit refused as incomplete, a link whose
other questionnaires are unfinished) raises it through ``alert_raise_for_draft``;
a stored Response (the final submit, a paper entry) through
``alert_raise_for_response``. The caller stores the answers first and raises
after. There is one alert per answer: per (link, instrument, item) while it is a
draft, per (response, item) once stored, and the submit hands the draft's alert
over to its Response instead of raising another (see measures.models.SafetyAlert).

When one is raised, the client's assigned therapist and every active on-call
clinician are e-mailed a link (never PHI); if none of them has an address, every
active practice admin is, at once. The alert shows on every clinician's
dashboard and blocks the dosing readiness gate until a clinician acknowledges it
with the action taken (measures.alerts.services.alert_acknowledge). Open alerts older than
SAFETY_ALERT_ESCALATE_HOURS are escalated to every active practice admin
(``alert_escalate_due``, run by ``escalate_safety_alerts`` every 10-15 minutes).
Who acts is an ``accounts.actor.Actor``: the client on a link, the staff member who
typed in a paper form, or the system (the escalation).
Who may see an alert is in measures.alerts.queries.

The alert flags an answer for same-day clinical follow-up; it is not a diagnosis
and it decides nothing for the clinician.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.access import CLIENT_ROLES
from accounts.actor import Actor
from accounts.models import Role, User
from audit.models import AuditEvent
from audit.services import log_action
from clients.models import Client
from common.links import absolute_url
from measures.alerts.queries import describe, open_alerts_for_client
from measures.models import Instrument, MeasureLink, Response, SafetyAlert
from notifications.services import email_queue

RAISE_ACTION = "measure.safety_alert"
ATTACH_ACTION = "measure.safety_alert_attach"
RAISE_VALUE_ACTION = "measure.safety_alert_value"
ESCALATE_ACTION = "measure.safety_alert_escalate"
VIEW_ACTION = "measure.safety_alert_view"
LIST_ACTION = "measure.safety_alert_list"

ALERT_EMAIL = "notifications/email/safety_alert"
ESCALATION_EMAIL = "notifications/email/safety_escalation"

NOT_A_DIAGNOSIS = (
    "This is a screening answer that needs same-day follow-up; it is not a diagnosis."
)

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


def draft_flags_safety_item(link: MeasureLink, instruments: Iterable[Instrument]) -> bool:
    """Whether the link's saved draft answers a safety item above its threshold."""
    return any(flagged_items(i.definition, link.draft.get(i.code) or {}) for i in instruments)


# --- Who is told ---------------------------------------------------------------


def alert_url(alert: SafetyAlert) -> str:
    return absolute_url("alerts:alert", alert.pk)


def _has_address(user: User | None) -> bool:
    return user is not None and user.is_active and bool(user.email)


def care_team(client: Client) -> list[User]:
    """The assigned therapist and every active on-call clinician with an address, once each.

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


def escalation_recipients() -> list[User]:
    admins = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk")
    return _unique_addresses(admins)


def alert_recipients(client: Client) -> list[User]:
    """The care team; when nobody in it can be e-mailed, every active admin instead.

    Waiting for the escalation would leave a suicide-risk answer unread for
    hours, so an alert with nobody else to tell goes to the admins at once.
    """
    return care_team(client) or escalation_recipients()


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


# --- Raising ------------------------------------------------------------------


def alert_raise_for_response(*, actor: Actor, response: Response) -> list[SafetyAlert]:
    """Raise one alert per safety item of `response` answered above its threshold.

    Call it right after storing the response. An alert its link's draft already
    raised is handed over to the response rather than raised again. Idempotent:
    calling it again for the same response raises and e-mails nothing new, and
    returns the same alerts. Returns the alerts of the response's flagged items
    (empty when nothing was flagged), so the caller knows to show the client the
    crisis resources first.
    """
    with transaction.atomic():
        # Lock the response so two calls for it cannot both create the alerts.
        Response.objects.select_for_update().filter(pk=response.pk).first()
        _attach_draft_alerts(actor, response)
        flagged = flagged_items(response.instrument.definition, response.answers)
        if not flagged:
            return []
        # Oldest first, so that each item maps to its latest alert.
        existing = {
            a.item: a
            for a in SafetyAlert.objects.filter(response=response).order_by("raised_at", "pk")
        }
        alerts, new = _raise(
            actor,
            client_id=response.client_id,
            instrument=response.instrument,
            flagged=flagged,
            existing=existing,
            response=response,
            link_id=response.link_id,
        )
        if new:
            _notify(actor, response.client_id, new)
    return alerts


def alert_raise_for_draft(*, actor: Actor, link: MeasureLink) -> list[SafetyAlert]:
    """Raise an alert for each safety item answered above its threshold in the
    link's saved draft, in every instrument of the link, finished or not.

    Reads the draft as stored, so call it after the draft is committed: the
    answers are kept even if raising fails. Idempotent per (link, instrument,
    item): saving the same draft again raises and e-mails nothing new. Returns
    the alerts of the items flagged in the draft now.
    """
    alerts: list[SafetyAlert] = []
    new: list[SafetyAlert] = []
    with transaction.atomic():
        # The link's row lock serialises this with other saves and the submit.
        locked = MeasureLink.objects.select_for_update().get(pk=link.pk)
        codes = [code for code in locked.instruments if locked.draft.get(code)]
        found = {i.code: i for i in Instrument.objects.filter(code__in=codes)}
        for code in codes:
            instrument = found.get(code)
            if instrument is None:
                continue
            flagged = flagged_items(instrument.definition, locked.draft[code])
            if not flagged:
                continue
            existing = {  # oldest first: each item maps to its latest alert
                a.item: a
                for a in SafetyAlert.objects.filter(link=locked, instrument=instrument).order_by(
                    "raised_at", "pk"
                )
            }
            raised, created = _raise(
                actor,
                client_id=locked.client_id,
                instrument=instrument,
                flagged=flagged,
                existing=existing,
                link_id=locked.pk,
            )
            alerts.extend(raised)
            new.extend(created)
        if new:
            _notify(actor, locked.client_id, new)
    return alerts


def _raise(
    actor: Actor,
    *,
    client_id: int,
    instrument: Instrument,
    flagged: Mapping[int, int],
    existing: dict[int, SafetyAlert],
    link_id: int | None,
    response: Response | None = None,
) -> tuple[list[SafetyAlert], list[SafetyAlert]]:
    """Create the alerts `existing` lacks. Returns (the flagged items' alerts, the new ones).

    An open alert whose answer has since gone higher (1 in the draft, 3 when
    submitted) takes the higher value, so the dashboard and the gate do not
    understate it; nobody is e-mailed again, as the alert is already with them.
    An answer that goes higher after its alert was acknowledged is a new risk: it
    raises a new alert (the acknowledged one stays as it was), e-mailed and gating.
    """
    new: list[SafetyAlert] = []
    for number, value in flagged.items():
        alert = existing.get(number)
        if alert is None or (not alert.is_open and value > alert.value):
            alert = SafetyAlert.objects.create(
                client_id=client_id,
                instrument=instrument,
                response=response,
                link_id=link_id,
                item=number,
                value=value,
            )
            existing[number] = alert
            new.append(alert)
        elif alert.is_open and value > alert.value:
            alert.value = value
            alert.save(update_fields=["value"])
            log_action(
                actor,
                RAISE_VALUE_ACTION,
                alert,
                client=alert.client,
                detail=source_detail(alert),
            )
    return [existing[number] for number in flagged], new


def _attach_draft_alerts(actor: Actor, response: Response) -> None:
    """Hand the alerts raised from the link's draft of this instrument to its Response."""
    if response.link_id is None:
        return
    drafts = SafetyAlert.objects.select_for_update().filter(
        link_id=response.link_id, instrument_id=response.instrument_id, response=None
    )
    for alert in drafts:
        alert.response = response
        alert.save(update_fields=["response"])
        log_action(
            actor, ATTACH_ACTION, alert, client=response.client, detail=source_detail(alert)
        )


def source_detail(alert: SafetyAlert) -> dict[str, Any]:
    """Ids for the audit trail: where the alert's answer is."""
    if alert.response_id is not None:
        return {"response": alert.response_id, "item": alert.item}
    return {"link": alert.link_id, "instrument": alert.instrument.code, "item": alert.item}


def _notify(actor: Actor, client_id: int, alerts: list[SafetyAlert]) -> None:
    client = Client.objects.select_related("assigned_therapist").get(pk=client_id)
    team = care_team(client)
    recipients = team or escalation_recipients()
    # One e-mail per person, however many items were flagged in this save.
    link = alert_url(alerts[0]) if len(alerts) == 1 else absolute_url("alerts:list")
    context = {"link": link, "practice": settings.PRACTICE_NAME, "to_admins": not team}
    for user in recipients:
        email_queue(to=user.email, template=ALERT_EMAIL, context=context)
    notified = [user.pk for user in recipients]
    for alert in alerts:
        detail = {**source_detail(alert), "notified": notified}
        if not team:
            detail["to_admins"] = True
        log_action(actor, RAISE_ACTION, alert, client=client, detail=detail)


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


# --- Escalating ---------------------------------------------------------------


def escalation_hours() -> int:
    return int(settings.SAFETY_ALERT_ESCALATE_HOURS)


def alert_escalate_due(*, actor: Actor, now: dt.datetime | None = None) -> list[SafetyAlert]:
    """Escalate every open alert raised more than SAFETY_ALERT_ESCALATE_HOURS ago.

    `actor` is the system (``Actor.system()``): the scheduled task, no person.

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
                email_queue(to=user.email, template=ESCALATION_EMAIL, context=context)
            log_action(
                actor,
                ESCALATE_ACTION,
                alert,
                client=alert.client,
                detail={
                    **source_detail(alert),
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
