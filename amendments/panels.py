"""The amendment requests section of the client page, and its timeline entries."""

from __future__ import annotations

from django.utils import timezone

from accounts.access import CLIENT_ROLES, AuthedRequest
from amendments.models import AmendmentRequest
from clients.models import Client
from clients.panels import Panel, TimelineEntry


def amendments_panel(request: AuthedRequest, client: Client) -> Panel | None:
    if request.user.role not in CLIENT_ROLES:
        return None
    today = timezone.localdate()
    rows = [(a, a.is_overdue(today)) for a in client.amendment_requests.all()]
    return Panel(template="amendments/_client_panel.html", context={"amendments": rows})


def amendment_entries(client: Client) -> list[TimelineEntry]:
    """Each step of each request; the text names the part and the outcome only."""
    entries = []
    for a in AmendmentRequest.objects.filter(client=client):
        url, part = a.get_absolute_url(), a.get_concerns_display()
        entries.append(
            TimelineEntry(a.created_at, "amendment", f"Amendment requested: {part}", url)
        )
        if a.extended_at:
            text = "Amendment request extended by 30 days"
            entries.append(TimelineEntry(a.extended_at, "amendment", text, url))
        if a.decided_at:
            text = f"Amendment request {a.get_status_display().lower()}: {part}"
            entries.append(TimelineEntry(a.decided_at, "amendment", text, url))
        if a.disagreement_at:
            text = "Statement of disagreement appended"
            entries.append(TimelineEntry(a.disagreement_at, "amendment", text, url))
        if a.rebuttal_at:
            entries.append(TimelineEntry(a.rebuttal_at, "amendment", "Rebuttal appended", url))
    return entries
