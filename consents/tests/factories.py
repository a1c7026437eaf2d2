"""Test helpers for consents: a signing link whose raw token the test knows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from clients.models import Client
from common.tokens import new_token, token_hash
from consents.models import ConsentDocument, ConsentKind, ConsentRequest
from partners.models import Partner
from pathways.testing import make_document


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
