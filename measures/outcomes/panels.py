"""The client's outcome charts as a compact panel: on the client page (listed in
PATHWAYS_CLIENT_PANELS) and, through `render_measure_panels`, on the client's measures page.
Each chart is an <img> of `outcomes:client_chart`, with a link to the full page
(`outcomes:client`: the charts and a table of every score)."""

from __future__ import annotations

from django.template.loader import render_to_string

from accounts.access import CLIENT_ROLES, AuthedRequest
from clients.models import Client
from clients.panels import Panel

TEMPLATE = "measures/reports/_client_panel.html"


def _context(request: AuthedRequest, client: Client) -> dict[str, object] | None:
    from measures.outcomes.views import client_charts

    if request.user.role not in CLIENT_ROLES:
        return None
    found = client_charts(client)
    if not found:
        return None
    return {"charts": found}


def outcome_charts_panel(request: AuthedRequest, client: Client) -> Panel | None:
    context = _context(request, client)
    return None if context is None else Panel(TEMPLATE, context)


def render_measure_panels(request: AuthedRequest, client: Client) -> list[str]:
    """The compact charts panel as HTML (an empty list when there are no scores)."""
    context = _context(request, client)
    if context is None:
        return []
    html = render_to_string(
        TEMPLATE, {**context, "panel": context, "client": client}, request=request
    )
    return [html]
