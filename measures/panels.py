"""The measures section of the client page, and measure lines on the client timeline.

Registered in MeasuresConfig.ready(); the client view has already checked that the
user may see this client (and audited the read).
"""

from __future__ import annotations

from django.urls import reverse

from accounts.access import CLIENT_ROLES, AuthedRequest
from clients.models import Client
from clients.panels import Panel, TimelineEntry
from measures.models import Instrument, MeasureLink, Response


def latest_per_instrument(client: Client) -> list[Response]:
    seen: set[int] = set()
    latest: list[Response] = []
    for response in Response.objects.filter(client=client).select_related("instrument"):
        if response.instrument_id not in seen:
            seen.add(response.instrument_id)
            latest.append(response)
    return sorted(latest, key=lambda r: r.instrument.short_name)


def measures_panel(request: AuthedRequest, client: Client) -> Panel | None:
    if request.user.role not in CLIENT_ROLES:
        return None
    open_links = MeasureLink.objects.open().filter(client=client).count()
    return Panel(
        template="measures/_client_panel.html",
        context={
            "client": client,
            "latest": latest_per_instrument(client),
            "open_links": open_links,
            "paper_instruments": list(Instrument.objects.order_by("short_name")),
        },
    )


def measures_timeline(client: Client) -> list[TimelineEntry]:
    """ "PHQ-9 answered": the instrument only, never a score or an answer."""
    url = reverse("measures:client", args=[client.pk])
    responses = Response.objects.filter(client=client).select_related("instrument")
    return [
        TimelineEntry(r.answered_at, "measure", f"{r.instrument.short_name} answered", url)
        for r in responses.only("answered_at", "instrument__short_name")
    ]
