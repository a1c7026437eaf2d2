"""The client's record as a FHIR R4 Bundle, downloaded from the chart (issue 13 §2).

A POST: the download takes the whole record out of the system, which is a disclosure,
so it is a deliberate act with a CSRF token, never a link a crawler or a prefetch
could follow, and it needs a re-authentication within REAUTH_MINUTES
(accounts.reauth). It is audited as "client.fhir_export" with the count of each
resource type (never the content), and written in the same transaction to the
accounting of disclosures (partners.Disclosure): the recipient is the person who
downloaded it, the purpose the one chosen beside the button (by default "client
request / continuity of care"). The file name says what it is, never whose it is.
"""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import AuthedRequest, role_required
from accounts.actor import actor_from
from accounts.reauth import reauth_required
from audit.services import log_action
from interop.access import EXPORT_ROLES, get_client_to_export
from interop.bundle import client_bundle, resource_counts
from interop.fhir_json import resource_json
from partners.disclosures import disclosure_fhir_export
from partners.models import DisclosurePurpose

FHIR_JSON = "application/fhir+json"
EXPORT_ACTION = "client.fhir_export"
# A download from the chart goes to a person, for the client or another provider; the
# partners' own purpose (treatment under a release) is the API's, not this.
EXPORT_PURPOSES = [
    (p.value, p.label) for p in DisclosurePurpose if p != DisclosurePurpose.TREATMENT
]


class ExportForm(forms.Form):
    purpose = forms.ChoiceField(
        label="Purpose", choices=EXPORT_PURPOSES, initial=DisclosurePurpose.CLIENT_REQUEST
    )


@require_POST
@role_required(*EXPORT_ROLES)
@reauth_required
def client_export(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = get_client_to_export(request.user, client_id)
    # No purpose sent (an older page): the default. One not on the list: refused.
    form = ExportForm(request.POST if "purpose" in request.POST else None)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest("Choose the purpose of the export from the list.")
    purpose = DisclosurePurpose(
        form.cleaned_data["purpose"] if form.is_bound else DisclosurePurpose.CLIENT_REQUEST
    )
    at = timezone.now()
    bundle = client_bundle(client=client, at=at)
    actor = actor_from(request)
    with transaction.atomic():
        log_action(
            actor,
            EXPORT_ACTION,
            client,
            client=client,
            detail={
                "disclosure": "fhir_export",
                "format": "FHIR R4 Bundle (collection)",
                "purpose": purpose.value,
                "resources": resource_counts(bundle),
            },
        )
        disclosure_fhir_export(actor=actor, client=client, purpose=purpose)
    response = HttpResponse(resource_json(bundle), content_type=FHIR_JSON)
    response["Content-Disposition"] = (
        f'attachment; filename="pathways-fhir-export-{timezone.localdate(at):%Y-%m-%d}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response
