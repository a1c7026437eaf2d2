"""The open safety alerts in the client chart's header (settings.PATHWAYS_CLIENT_FACTS)."""

from __future__ import annotations

from django.urls import reverse

from accounts.access import CLIENT_ROLES, AuthedRequest
from clients.models import Client
from clients.panels import HeaderFact
from measures.alerts import queries as alert_queries


def alert_facts(request: AuthedRequest, client: Client) -> list[HeaderFact]:
    """ "2 open" (flagged, linked to the alerts on the overview) or "None open"."""
    if request.user.role not in CLIENT_ROLES:
        return []
    visible = alert_queries.alerts_for_user(request.user).filter(client=client)
    count = visible.filter(acknowledged_at=None).count()
    if not count:
        return [HeaderFact("Safety alerts", "None open")]
    url = reverse("clients:detail", args=[client.pk]) + "#safety-alerts-panel"
    return [HeaderFact("Safety alerts", f"{count} open", url, flagged=True)]
