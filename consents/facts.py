"""The consents in force, in the client chart's header (settings.PATHWAYS_CLIENT_FACTS)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from accounts.access import CLIENT_ROLES, AuthedRequest
from clients.models import Client
from clients.panels import HeaderFact
from common.prepared import Prepared
from consents.models import SignedConsent


def consent_facts(request: AuthedRequest, client: Client) -> list[HeaderFact]:
    """The titles of the signed consents not revoked ("None in force" when there is none)."""
    if request.user.role not in CLIENT_ROLES:
        return []
    titles = [
        f"{s.title_signed} ({s.partner.name})" if s.partner else s.title_signed
        for s in _in_force(client=client.pk)
    ]
    url = reverse("clients:tab", args=[client.pk, "consents"])
    return [HeaderFact("Consents in force", "; ".join(titles) or "None in force", url)]


# Compiled once (common.prepared): every chart's header asks (issue 14).
@Prepared
def _in_force(*, client: int) -> QuerySet[SignedConsent]:
    in_force = SignedConsent.objects.in_force().filter(client_id=client).select_related("partner")
    return in_force.order_by("signed_at", "pk")
