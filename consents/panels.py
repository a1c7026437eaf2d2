"""The consents section of the client page, and consent lines on the client timeline.

Registered in ConsentsConfig.ready(); the client view has already checked that
the user may see this client (and audited the read).
"""

from __future__ import annotations

from accounts.access import CLIENT_ROLES, CLINICAL_ROLES, AuthedRequest
from clients.models import Client
from clients.panels import Panel, TimelineEntry
from common.reversing import reverse_numbered
from consents.models import ConsentRequest, SignedConsent


def consents_panel(request: AuthedRequest, client: Client) -> Panel | None:
    if request.user.role not in CLIENT_ROLES:
        return None
    signed = list(
        SignedConsent.objects.filter(client=client).select_related(
            "document", "partner", "revocation"
        )
    )
    open_requests = (
        ConsentRequest.objects.open().filter(client=client).select_related("document", "partner")
    )
    return Panel(
        template="consents/_client_panel.html",
        context={
            "client": client,
            "in_force": [s for s in signed if not s.is_revoked],
            "revoked": [s for s in signed if s.is_revoked],
            "open_requests": list(open_requests),
            "can_send": request.user.role in CLINICAL_ROLES,
        },
    )


def consents_timeline(client: Client) -> list[TimelineEntry]:
    """Signed, revoked and sent: titles only, never the typed name or a reason."""
    entries: list[TimelineEntry] = []
    signed = SignedConsent.objects.filter(client=client).select_related("revocation")
    for consent in signed:
        url = reverse_numbered("consents:detail", consent.pk)
        entries.append(
            TimelineEntry(
                consent.signed_at, "consent", f"Consent signed: {consent.title_signed}", url
            )
        )
        if consent.is_revoked:
            entries.append(
                TimelineEntry(
                    consent.revocation.revoked_at,
                    "consent",
                    f"Consent revoked: {consent.title_signed}",
                    url,
                )
            )
    for sent in ConsentRequest.objects.filter(client=client).only("created_at"):
        entries.append(TimelineEntry(sent.created_at, "consent", "Consent form sent"))
    return entries
