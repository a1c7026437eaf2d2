"""The consents in force, in the client chart's header (settings.PATHWAYS_CLIENT_FACTS)."""

from __future__ import annotations

from django.urls import reverse

from accounts.access import CLIENT_ROLES, AuthedRequest
from clients.models import Client
from clients.panels import HeaderFact
from consents.models import SignedConsent


def consent_facts(request: AuthedRequest, client: Client) -> list[HeaderFact]:
    """The titles of the signed consents not revoked ("None in force" when there is none)."""
    if request.user.role not in CLIENT_ROLES:
        return []
    in_force = SignedConsent.objects.in_force().filter(client=client).select_related("partner")
    titles = [
        f"{s.title_signed} ({s.partner.name})" if s.partner else s.title_signed
        for s in in_force.order_by("signed_at", "pk")
    ]
    url = reverse("clients:tab", args=[client.pk, "consents"])
    return [HeaderFact("Consents in force", "; ".join(titles) or "None in force", url)]
