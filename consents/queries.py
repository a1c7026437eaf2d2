"""Read-side questions other apps ask about consent (referrals, the dosing gate)."""

from __future__ import annotations

from typing import Any

from django.db.models import Subquery

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


def release_in_force_locked(client_id: int, partner_id: int) -> SignedConsent | None:
    """Like release_in_force, for a write that discloses under the release: inside a
    transaction, lock the client's releases to this partner (consents.services.
    consent_revoke locks the same row), then read which is in force. A revocation
    that commits first is seen; one that comes later waits for this transaction."""
    releases = SignedConsent.objects.filter(
        client_id=client_id, document__kind=ConsentKind.ROI, partner_id=partner_id
    )
    # Lock only the consent rows (the join to the document must not be locked).
    list(releases.select_for_update(of=("self",)).values_list("pk", flat=True))
    return releases.in_force().order_by("-signed_at").first()


def release_in_force_id(client: Any, partner: Any) -> Subquery:
    """A subquery (for annotate/filter) of the id of the client's newest release in
    force to the partner, or NULL: `client` and `partner` are expressions such as
    OuterRef("client_id"). One query answers it for a whole list."""
    return Subquery(
        SignedConsent.objects.in_force()
        .filter(client_id=client, document__kind=ConsentKind.ROI, partner_id=partner)
        .order_by("-signed_at")
        .values("pk")[:1]
    )
