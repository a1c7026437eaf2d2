"""Read-side questions other apps ask about consent (referrals, the dosing gate)."""

from __future__ import annotations

from clients.models import Client
from consents.models import ConsentKind, SignedConsent


def consent_in_force(client: Client, kind: str) -> SignedConsent | None:
    """The newest signed, unrevoked consent of this kind, if any.

    A consent signed on an older version of the document stays in force: the
    client agreed to the text they read. The practice asks for a new signature
    by sending the new version.
    """
    return (
        SignedConsent.objects.in_force()
        .filter(client=client, document__kind=kind)
        .order_by("-signed_at")
        .first()
    )


def release_in_force(client: Client, partner_id: int) -> SignedConsent | None:
    """The client's unrevoked release of information to this partner, if any."""
    return (
        SignedConsent.objects.in_force()
        .filter(client=client, document__kind=ConsentKind.ROI, partner_id=partner_id)
        .order_by("-signed_at")
        .first()
    )
