"""Safety alerts on the client page (panel and timeline) and in the dosing gate.

Listed in settings.PATHWAYS_CLIENT_PANELS and PATHWAYS_TIMELINE_SOURCES; the gate
condition is measures.gate.safety_alerts_condition.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.access import CLIENT_ROLES, AuthedRequest
from accounts.models import User
from clients.models import Client
from clients.panels import Panel, TimelineEntry
from common.prepared import Prepared
from common.reversing import reverse_numbered
from measures.alerts import queries as alert_queries
from measures.models import SafetyAlert

PANEL_FIELDS = (
    "item",
    "value",
    "raised_at",
    "escalated_at",
    "acknowledged_at",
    "action",
    "instrument__short_name",
    "response__answered_at",
    *User.display_name_fields("acknowledged_by__"),
)


@Prepared
def _client_alerts(*, client: int) -> QuerySet[SafetyAlert]:
    # What the panel shows (measures/alerts/_client_panel.html, queries.describe): the
    # client is the chart's, and the instrument's definition and the answers are the
    # alert page's, not this list's (issue 14: each column read costs every chart view).
    visible = SafetyAlert.objects.filter(client_id=client)
    visible = visible.select_related("instrument", "response", "acknowledged_by")
    return visible.only(*PANEL_FIELDS)


def safety_alerts_panel(request: AuthedRequest, client: Client) -> Panel | None:
    if request.user.role not in CLIENT_ROLES:
        return None
    # Everyone who may see alerts sees them all (alerts_for_user): the client's, read
    # by SQL compiled once (the chart asks on every view; building the ORM's query was
    # a tenth of its work at 10,000 clients, issue 14).
    may_see = alert_queries.may_see_alerts(request.user)
    alerts = sorted(
        _client_alerts(client=client.pk) if may_see else [],
        key=lambda a: (a.acknowledged_at is not None, -a.raised_at.timestamp()),
    )
    rows = [{"alert": alert, "description": alert_queries.describe(alert)} for alert in alerts]
    context = {
        "rows": rows,
        "open_count": sum(1 for a in alerts if a.is_open),
        "can_acknowledge": alert_queries.can_acknowledge(request.user),
    }
    return Panel(template="measures/alerts/_client_panel.html", context=context)


def safety_alert_entries(client: Client) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for alert in SafetyAlert.objects.filter(client=client):
        url = alert_path(alert)
        entries.append(TimelineEntry(alert.raised_at, "safety", "Safety alert raised", url))
        if alert.acknowledged_at:
            text = "Safety alert acknowledged"
            entries.append(TimelineEntry(alert.acknowledged_at, "safety", text, url))
        if alert.escalated_at:
            text = "Safety alert escalated"
            entries.append(TimelineEntry(alert.escalated_at, "safety", text, url))
    return entries


def alert_path(alert: SafetyAlert) -> str:
    return reverse_numbered("alerts:alert", alert.pk)
