"""The open safety alerts in the client chart's header (settings.PATHWAYS_CLIENT_FACTS)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from accounts.access import CLIENT_ROLES, AuthedRequest
from clients.models import Client
from clients.panels import HeaderFact
from common.prepared import Prepared
from measures.alerts import queries as alert_queries
from measures.models import SafetyAlert


@Prepared
def _open_alert_ids(*, client: int) -> QuerySet[SafetyAlert, int]:
    return SafetyAlert.objects.filter(client_id=client, acknowledged_at=None).values_list(
        "pk", flat=True
    )


def alert_facts(request: AuthedRequest, client: Client) -> list[HeaderFact]:
    """ "2 open" (flagged, linked to the alerts on the overview) or "None open"."""
    if request.user.role not in CLIENT_ROLES:
        return []
    # Everyone who may see alerts sees them all (alerts_for_user): the client's open ones,
    # by SQL compiled once (the chart's header asks on every view, and building the ORM's
    # count was a twentieth of the chart's work at 10,000 clients, issue 14).
    may_see = alert_queries.may_see_alerts(request.user)
    count = len(_open_alert_ids(client=client.pk)) if may_see else 0
    if not count:
        return [HeaderFact("Safety alerts", "None open")]
    url = reverse("clients:detail", args=[client.pk]) + "#safety-alerts-panel"
    return [HeaderFact("Safety alerts", f"{count} open", url, flagged=True)]
