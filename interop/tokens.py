"""Issue and revoke the partner read API's tokens (interop.models.ApiToken).

A token is issued by the practice admin to one prescriber who works for a partner
organisation; what it reads is decided at each call by that organisation's
referrals and the client's release in force (interop.api), never by the token. The
plaintext is returned once, to the page that shows it; only its hash is stored.

FHIR_TOKEN_DAYS (default 90) is how long a token lives unless the admin says
otherwise, from 1 to 365 days: a credential that opens PHI to another
organisation is rotated at least yearly (NIST SP 800-63B leaves the figure to the
practice; 90 days is the common choice for machine credentials).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role, User
from audit.services import log_action
from common.bounds import Bounds, check_bounds
from common.tokens import new_token, token_hash
from interop.models import ApiToken
from partners.access import partner_id_of

DAYS = Bounds(1, 365, "days an API token lives")
ISSUE_ACTION = "fhir.token_issue"
REVOKE_ACTION = "fhir.token_revoke"


class ApiTokenError(ValueError):
    """A token that may not be issued or revoked; the message is for the admin."""


def default_days() -> int:
    """FHIR_TOKEN_DAYS, checked against its range when read (ImproperlyConfigured
    otherwise): the one place that reads it is the issue of a token."""
    check_bounds(settings, {"FHIR_TOKEN_DAYS": DAYS})
    days: int = settings.FHIR_TOKEN_DAYS
    return days


def api_token_issue(
    *, actor: Actor, prescriber: User, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for `prescriber`, valid `days` (FHIR_TOKEN_DAYS); the token and its
    plaintext, which is not stored anywhere and cannot be shown again."""
    admin = actor.staff
    if not admin.has_role(Role.ADMIN):
        raise ApiTokenError("Only the practice admin issues API tokens.")
    days = default_days() if days is None else days
    if isinstance(days, bool) or not DAYS.low <= days <= (DAYS.high or days):
        raise ApiTokenError(f"A token lives {DAYS.describe()}.")
    if not (prescriber.is_active and prescriber.role == Role.PRESCRIBER):
        raise ApiTokenError("An API token is for an active prescriber.")
    if partner_id_of(prescriber) is None:
        raise ApiTokenError("This prescriber works for no partner organisation.")
    plaintext = new_token()
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            prescriber=prescriber,
            token_hash=token_hash(plaintext),
            created_at=now,
            created_by=admin,
            expires_at=now + dt.timedelta(days=days),
        )
        log_action(
            actor,
            ISSUE_ACTION,
            token,
            detail={"prescriber": prescriber.pk, "days": days},
        )
    return token, plaintext


def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke `token` now: the next call with it answers 401."""
    admin = actor.staff
    if not admin.has_role(Role.ADMIN):
        raise ApiTokenError("Only the practice admin revokes API tokens.")
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise ApiTokenError("This token was already revoked.")
        locked.revoked_at = timezone.now()
        locked.revoked_by = admin
        locked.save(update_fields=["revoked_at", "revoked_by"])
        log_action(
            actor,
            REVOKE_ACTION,
            locked,
            detail={"prescriber": locked.prescriber_id, "state_before": token.state()},
        )
    return locked
