"""Writes to consents: each is atomic and audited.

A consent link is a random token; the database keeps only its SHA-256, so the
table alone cannot open a link. The raw token exists in the e-mail, and, for a
client without an e-mail address, once on the staff page that created it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import User
from audit.services import log_action
from clients.models import Client
from common.links import absolute_url
from common.timefmt import local_long
from common.tokens import new_token, token_hash
from consents import copy
from consents.default_documents import DEFAULT_DOCUMENTS
from consents.models import (
    ConsentDocument,
    ConsentKind,
    ConsentRequest,
    ConsentRevocation,
    SignedConsent,
)
from consents.names import name_matches
from notifications.services import email_queue
from partners.models import Partner

DEFAULT_LINK_HOURS = 72
# The stored columns' lengths (consents/models.py).
TYPED_NAME_MAX = SignedConsent._meta.get_field("typed_name").max_length or 160
REVOKE_REASON_MAX = ConsentRevocation._meta.get_field("reason").max_length or 300


class ConsentError(Exception):
    """A consent action that cannot be done; the message is safe to show to staff."""


class LinkClosedError(ConsentError):
    """The signing link was used, cancelled or has expired."""


class NameMismatchError(ConsentError):
    """The typed name is not the client's name on file; shown beside the name field."""


# Says what to type without saying what the name on file is.
NAME_MISMATCH = (
    "This name does not match the name the practice has on file for you. Type your "
    "first and last name in full, as you gave them to the practice (for example, "
    "not only your initials)."
)


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
    *, actor: Actor, client: Client, kind: str, partner: Partner | None = None
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
            created_by=actor.staff,
            expires_at=now + timedelta(hours=link_hours()),
        )
        for old in earlier:
            old.cancelled_at = now
            old.save(update_fields=["cancelled_at"])
            log_action(
                actor,
                "consent.cancel",
                old,
                client=client,
                detail={"replaced_by": consent_request.pk},
            )
        log_action(
            actor,
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
                to=client.email,
                template="notifications/email/consent_request",
                context={
                    "practice": settings.PRACTICE_NAME,
                    "phone": settings.PRACTICE_PHONE,
                    "link": sign_url(token),
                    "expires": local_long(consent_request.expires_at),
                },
            )
    return consent_request, token


def _check_signer(actor: Actor) -> None:
    # The signature is the client's, made through the link they were sent: the
    # trail records no account for it, even when the device also holds a staff
    # session (a tablet in the office; `staff_on_device` records that session).
    if actor.kind != "client_link":
        raise ConsentError("Only the client, through their signing link, can sign.")


def _staff_on_device(staff: User | None) -> dict[str, int]:
    return {"staff_session": staff.pk} if staff is not None else {}


def consent_request_log_open(
    *, actor: Actor, consent_request: ConsentRequest, staff_on_device: User | None = None
) -> None:
    """Record that the signing page of a link was shown to the client."""
    _check_signer(actor)
    log_action(
        actor,
        "consent.open",
        consent_request,
        client=consent_request.client,
        detail=_staff_on_device(staff_on_device),
    )


def consent_sign(
    *,
    actor: Actor,
    consent_request: ConsentRequest,
    typed_name: str,
    agreed: bool,
    staff_on_device: User | None = None,
) -> SignedConsent:
    """Store the client's signature on the request's document, exactly once.

    `actor` is the client on the link (`Actor.client_on_link`); `staff_on_device`
    is the staff user signed in on the same device, if any. The link is checked
    again under a row lock, so two submits that both saw an open link store one
    signature; the other raises LinkClosedError.
    """
    _check_signer(actor)
    typed_name = typed_name.strip()
    if not typed_name:
        raise ConsentError("Type your full name.")
    if len(typed_name) > TYPED_NAME_MAX:
        raise ConsentError(f"Your name can be at most {TYPED_NAME_MAX} characters.")
    if not agreed:
        raise ConsentError("Tick the box to show that you have read and agree to this document.")
    client = consent_request.client
    if not name_matches(typed_name, first_name=client.first_name, last_name=client.last_name):
        # The refusal is kept (committed on its own); the trail holds no name.
        log_action(
            actor,
            "consent.sign_refused",
            consent_request,
            client=client,
            detail={"reason": "name_mismatch", **_staff_on_device(staff_on_device)},
        )
        raise NameMismatchError(NAME_MISMATCH)
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
                ip=actor.ip,
                document_sha256=document.sha256,
                title_signed=document.title,
                body_signed=document.body,
            )
            locked.used_at = now
            locked.save(update_fields=["used_at"])
            log_action(
                actor,
                "consent.sign",
                signed,
                client=locked.client,
                detail={
                    "request": locked.pk,
                    "kind": document.kind,
                    "document": document.pk,
                    "version": document.version,
                    "partner": locked.partner_id,
                    **_staff_on_device(staff_on_device),
                },
            )
    except IntegrityError:
        # The other submit's signature committed first (the one-to-one on request).
        raise LinkClosedError("This link has already been used.") from None
    return signed


def consent_copy_pdf(*, actor: Actor, signed: SignedConsent, purpose: str) -> bytes:
    """The PDF of exactly what was signed (consents.copy), for the client who has
    just signed it (purpose "client_download") or staff (purpose "staff_print").
    Audited as "consent.copy"; the trail names the purpose, never the text."""
    if purpose not in ("client_download", "staff_print"):
        raise ConsentError("Unknown purpose for a copy.")
    if purpose == "client_download":
        _check_signer(actor)
    elif actor.kind != "user":
        raise ConsentError("Only staff print a signed consent.")
    pdf = copy.signed_copy_pdf(signed)
    log_action(
        actor,
        "consent.copy",
        signed,
        client=signed.client,
        detail={"purpose": purpose, "document": signed.document_id, "bytes": len(pdf)},
    )
    return pdf


def consent_revoke(*, actor: Actor, signed: SignedConsent, reason: str) -> ConsentRevocation:
    """Revoke a signed consent. It stops being in force the moment this commits."""
    reason = reason.strip()
    if not reason:
        raise ConsentError("Say why the consent is revoked.")
    if len(reason) > REVOKE_REASON_MAX:
        raise ConsentError(f"Keep the reason to {REVOKE_REASON_MAX} characters or fewer.")
    try:
        with transaction.atomic():
            locked = SignedConsent.objects.select_for_update().get(pk=signed.pk)
            if ConsentRevocation.objects.filter(consent=locked).exists():
                raise ConsentError("This consent has already been revoked.")
            revocation = ConsentRevocation.objects.create(
                consent=locked, recorded_by=actor.staff, reason=reason
            )
            log_action(
                actor,
                "consent.revoke",
                locked,
                client=locked.client,
                detail={"revocation": revocation.pk, "document": locked.document_id},
            )
    except IntegrityError:
        raise ConsentError("This consent has already been revoked.") from None
    return revocation


def consent_request_cancel(*, actor: Actor, consent_request: ConsentRequest) -> ConsentRequest:
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
        log_action(actor, "consent.cancel", locked, client=locked.client)
    return locked


def consent_documents_install_defaults(*, actor: Actor) -> int:
    """Create version 1 of each form that has no version yet. Returns how many.

    Run by a command or the demo seeding (`Actor.system()`)."""
    created = 0
    with transaction.atomic():
        for default in DEFAULT_DOCUMENTS:
            if ConsentDocument.objects.filter(kind=default["kind"]).exists():
                continue
            document = ConsentDocument.objects.create(
                kind=default["kind"], title=default["title"], body=default["body"]
            )
            log_action(actor, "consent_document.create", document, detail={"kind": document.kind})
            created += 1
    return created
