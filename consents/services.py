"""Writes to consents: each is atomic and audited.

A consent link is a random token; the database keeps only its SHA-256, so the
table alone cannot open a link. The raw token exists in the e-mail, and, for a
client without an e-mail address, once on the staff page that created it.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.access import AuthedRequest
from audit.services import log_action
from clients.models import Client
from common.ip import client_ip
from common.links import absolute_url
from common.timefmt import local_long
from common.tokens import new_token, token_hash
from consents.default_documents import DEFAULT_DOCUMENTS
from consents.models import (
    ConsentDocument,
    ConsentKind,
    ConsentRequest,
    ConsentRevocation,
    SignedConsent,
)
from notifications.services import email_queue
from partners.models import Partner

DEFAULT_LINK_HOURS = 72


class ConsentError(Exception):
    """A consent action that cannot be done; the message is safe to show to staff."""


class LinkClosedError(ConsentError):
    """The signing link was used, cancelled or has expired."""


def link_hours() -> int:
    return int(getattr(settings, "CONSENT_LINK_HOURS", DEFAULT_LINK_HOURS))


def sign_url(token: str) -> str:
    return absolute_url("consent_sign:sign", token)


def _open_requests(
    client: Client, kind: str, partner: Partner | None, now: datetime
) -> list[ConsentRequest]:
    qs = (
        ConsentRequest.objects.open(now)
        .select_for_update(of=("self",))
        .filter(client=client, document__kind=kind, partner=partner)
    )
    return list(qs)


def consent_request_send(
    request: AuthedRequest, client: Client, kind: str, partner: Partner | None = None
) -> tuple[ConsentRequest, str]:
    """Create a signing link for the newest version of `kind`; e-mail it if we can.

    Returns the request and the raw token (to show once when there is no e-mail).
    An earlier unused link for the same client, form (and partner) is cancelled,
    so only the newest link works.
    """
    if kind not in ConsentKind.values:
        raise ConsentError("Choose a consent form from the list.")
    if kind == ConsentKind.ROI and partner is None:
        raise ConsentError("A release of information needs the partner it is for.")
    if kind != ConsentKind.ROI and partner is not None:
        raise ConsentError("Only a release of information names a partner.")
    document = ConsentDocument.latest(kind)
    if document is None:
        raise ConsentError(
            "This form has no published version yet. Ask the practice admin to add one."
        )
    token = new_token()
    now = timezone.now()
    with transaction.atomic():
        earlier = _open_requests(client, kind, partner, now)
        consent_request = ConsentRequest.objects.create(
            client=client,
            document=document,
            partner=partner,
            token_hash=token_hash(token),
            created_by=request.user,
            expires_at=now + timedelta(hours=link_hours()),
        )
        for old in earlier:
            old.cancelled_at = now
            old.save(update_fields=["cancelled_at"])
            log_action(
                request,
                "consent.cancel",
                old,
                client=client,
                detail={"replaced_by": consent_request.pk},
            )
        log_action(
            request,
            "consent.send",
            consent_request,
            client=client,
            detail={
                "kind": kind,
                "document": document.pk,
                "version": document.version,
                "partner": partner.pk if partner else None,
                "emailed": bool(client.email),
            },
        )
        if client.email:
            # Nothing here says what the document is or who it is for.
            email_queue(
                client.email,
                "notifications/email/consent_request",
                {
                    "practice": settings.PRACTICE_NAME,
                    "phone": settings.PRACTICE_PHONE,
                    "link": sign_url(token),
                    "expires": local_long(consent_request.expires_at),
                },
            )
    return consent_request, token


def _as_signer(request: HttpRequest) -> HttpRequest:
    """The request as the audit trail should see it: made by the client, who has no
    account, even when the device also holds a staff session (a tablet in the office)."""
    signer = copy.copy(request)
    signer.user = AnonymousUser()
    return signer


def _staff_on_device(request: HttpRequest) -> dict[str, int]:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {"staff_session": user.pk}
    return {}


def consent_open_log(request: HttpRequest, consent_request: ConsentRequest) -> None:
    """Record that the signing page of a link was shown."""
    log_action(
        _as_signer(request),
        "consent.open",
        consent_request,
        client=consent_request.client,
        detail=_staff_on_device(request),
    )


def consent_sign(
    request: HttpRequest, consent_request: ConsentRequest, typed_name: str, agreed: bool
) -> SignedConsent:
    """Store the client's signature on the request's document, exactly once.

    The link is checked again under a row lock, so two submits that both saw an
    open link store one signature; the other raises LinkClosedError.
    """
    typed_name = typed_name.strip()
    if not typed_name:
        raise ConsentError("Type your full name.")
    if not agreed:
        raise ConsentError("Tick the box to show that you have read and agree to this document.")
    try:
        with transaction.atomic():
            locked = (
                ConsentRequest.objects.select_for_update(of=("self",))
                .select_related("document", "client")
                .get(pk=consent_request.pk)
            )
            if not locked.is_open():
                raise LinkClosedError("This link has expired or has already been used.")
            now = timezone.now()
            document = locked.document
            signed = SignedConsent.objects.create(
                client=locked.client,
                document=document,
                partner_id=locked.partner_id,
                request=locked,
                typed_name=typed_name,
                agreed=True,
                signed_at=now,
                ip=client_ip(request),
                document_sha256=document.sha256,
                title_signed=document.title,
                body_signed=document.body,
            )
            locked.used_at = now
            locked.save(update_fields=["used_at"])
            log_action(
                _as_signer(request),
                "consent.sign",
                signed,
                client=locked.client,
                detail={
                    "request": locked.pk,
                    "kind": document.kind,
                    "document": document.pk,
                    "version": document.version,
                    "partner": locked.partner_id,
                    **_staff_on_device(request),
                },
            )
    except IntegrityError:
        # The other submit's signature committed first (the one-to-one on request).
        raise LinkClosedError("This link has already been used.") from None
    return signed


def consent_revoke(
    request: AuthedRequest, signed: SignedConsent, reason: str
) -> ConsentRevocation:
    """Revoke a signed consent. It stops being in force the moment this commits."""
    reason = reason.strip()
    if not reason:
        raise ConsentError("Say why the consent is revoked.")
    try:
        with transaction.atomic():
            locked = SignedConsent.objects.select_for_update().get(pk=signed.pk)
            if ConsentRevocation.objects.filter(consent=locked).exists():
                raise ConsentError("This consent has already been revoked.")
            revocation = ConsentRevocation.objects.create(
                consent=locked, recorded_by=request.user, reason=reason
            )
            log_action(
                request,
                "consent.revoke",
                locked,
                client=locked.client,
                detail={"revocation": revocation.pk, "document": locked.document_id},
            )
    except IntegrityError:
        raise ConsentError("This consent has already been revoked.") from None
    return revocation


def consent_request_cancel(request: AuthedRequest, consent_request: ConsentRequest) -> None:
    """Cancel an unused link: from now on it opens nothing."""
    with transaction.atomic():
        locked = (
            ConsentRequest.objects.select_for_update(of=("self",))
            .select_related("client")
            .get(pk=consent_request.pk)
        )
        if locked.used_at is not None:
            raise ConsentError(
                "This link has already been used to sign, so it cannot be cancelled."
            )
        if locked.cancelled_at is not None:
            raise ConsentError("This link was already cancelled.")
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["cancelled_at"])
        log_action(request, "consent.cancel", locked, client=locked.client)


def consent_documents_install_defaults(request: HttpRequest | None = None) -> int:
    """Create version 1 of each form that has no version yet. Returns how many."""
    created = 0
    with transaction.atomic():
        for default in DEFAULT_DOCUMENTS:
            if ConsentDocument.objects.filter(kind=default["kind"]).exists():
                continue
            document = ConsentDocument.objects.create(
                kind=default["kind"], title=default["title"], body=default["body"]
            )
            log_action(
                request, "consent_document.create", document, detail={"kind": document.kind}
            )
            created += 1
    return created
