"""The client's record as a FHIR R4 Bundle, downloaded from the chart (issue 13 §2).

A POST: the download takes the whole record out of the system, which is a disclosure,
so it is a deliberate act with a CSRF token, never a link a crawler or a prefetch
could follow, and it needs a re-authentication within REAUTH_MINUTES
(accounts.reauth). It is audited as "client.fhir_export" with the count of each
resource type (never the content). The file name says what it is, never whose it is.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import AuthedRequest, role_required
from accounts.actor import actor_from
from accounts.reauth import reauth_required
from audit.services import log_action
from interop.access import EXPORT_ROLES, get_client_to_export
from interop.bundle import client_bundle, resource_counts

FHIR_JSON = "application/fhir+json"
EXPORT_ACTION = "client.fhir_export"


@require_POST
@role_required(*EXPORT_ROLES)
@reauth_required
def client_export(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = get_client_to_export(request.user, client_id)
    at = timezone.now()
    bundle = client_bundle(client=client, at=at)
    log_action(
        actor_from(request),
        EXPORT_ACTION,
        client,
        client=client,
        detail={
            "disclosure": "fhir_export",
            "format": "FHIR R4 Bundle (collection)",
            "resources": resource_counts(bundle),
        },
    )
    response = HttpResponse(bundle.model_dump_json(), content_type=FHIR_JSON)
    response["Content-Disposition"] = (
        f'attachment; filename="pathways-fhir-export-{timezone.localdate(at):%Y-%m-%d}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response
