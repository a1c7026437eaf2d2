"""Test factories for consents: a consent document, a signed consent, and a signing
link whose raw token the test knows. Tests import them from pathways.testing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from clients.models import Client
from common.tokens import new_token, token_hash
from consents.models import ConsentDocument, ConsentKind, ConsentRequest, SignedConsent
from partners.models import Partner


def make_consent_request(
    client: Client,
    created_by: User,
    kind: str = ConsentKind.KAP,
    partner: Partner | None = None,
    **extra: Any,
) -> tuple[ConsentRequest, str]:
    document = ConsentDocument.latest(kind) or make_document(kind)
    token = new_token()
    data: dict[str, Any] = {"expires_at": timezone.now() + dt.timedelta(hours=72)}
    data.update(extra)
    consent_request = ConsentRequest.objects.create(
        client=client,
        document=document,
        partner=partner,
        token_hash=token_hash(token),
        created_by=created_by,
        **data,
    )
    return consent_request, token


def make_document(kind: str = ConsentKind.KAP, **extra: Any) -> ConsentDocument:
    data: dict[str, Any] = {"title": f"{kind} consent", "body": f"The {kind} consent text."}
    data.update(extra)
    return ConsentDocument.objects.create(kind=kind, **data)


def make_signed_consent(
    client: Client, kind: str = ConsentKind.KAP, partner: Partner | None = None, **extra: Any
) -> SignedConsent:
    document = ConsentDocument.latest(kind) or make_document(kind)
    data: dict[str, Any] = {
        "typed_name": client.full_name,
        "agreed": True,
        "signed_at": timezone.now(),
        "ip": "127.0.0.1",
        "document_sha256": document.sha256,
        "title_signed": document.title,
        "body_signed": document.body,
    }
    data.update(extra)
    return SignedConsent.objects.create(client=client, document=document, partner=partner, **data)
