"""The "FHIR export" button on the client chart's overview (PATHWAYS_CLIENT_PANELS),
for those who may export the record (interop.access); nobody else sees it."""

from __future__ import annotations

from django.conf import settings

from accounts.access import AuthedRequest
from clients.models import Client
from clients.panels import Panel
from common.forms import blank_form
from interop.access import may_export
from interop.views import ExportForm


def export_panel(request: AuthedRequest, client: Client) -> Panel | None:
    if not may_export(request.user, client):
        return None
    return Panel(
        template="interop/_export_panel.html",
        context={
            "reauth_minutes": settings.REAUTH_MINUTES,
            # Blank, the same for everyone: written once (common.forms).
            "form": blank_form(ExportForm, auto_id="fhir_export_%s"),
        },
    )
