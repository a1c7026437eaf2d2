"""Emergency ("break-glass") access to a client outside one's care team.

A therapist named in advance (the `clients.break_glass` permission, given by the
admin in the Django admin, where the change is audited as a privilege change) opens
a client who is not theirs, with a reason, for BREAK_GLASS_MINUTES. While the grant
is in force:

- the client is in `clients.queries.clients_visible_to`, the one place every app's
  access helper reads, so the whole record opens (and nothing else);
- every request the person makes is audited ("breakglass.request",
  clients.middleware.BreakGlassAuditMiddleware);
- every active admin has been e-mailed at once, without the client's name.

It ends at `expires_at` (checked at every request against the current time) or
when the person, or an admin, ends it sooner.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from accounts.actor import Actor
from accounts.models import Role, User
from audit.services import log_action
from clients.models import BreakGlassGrant, Client
from clients.queries import (
    active_grants,
    clients_visible_to,
    forget_request_grants,
    holds_unexpired_grant,
    named_for_break_glass,
    now,
)
from common.links import absolute_url
from common.timefmt import local_day_hm, local_hm
from notifications.services import email_queue

REASON_MIN = 15
REASON_MAX = 1000
OPEN_EMAIL = "notifications/email/break_glass_opened"

OPEN_ACTION = "breakglass.open"
END_ACTION = "breakglass.end"
REFUSED_ACTION = "breakglass.refused"
REQUEST_ACTION = "breakglass.request"


class BreakGlassError(ValueError):
    """A grant refused; the message is for the person, beside `field` when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def may_break_glass(user: User) -> bool:
    """Named in advance (clients.queries.named_for_break_glass)."""
    return named_for_break_glass(user)


def check_reason(reason: str) -> str:
    """The reason, trimmed, or BreakGlassError beside the reason field."""
    reason = reason.strip()
    if len(reason) < REASON_MIN:
        raise BreakGlassError(
            f"Say why you need this record, in at least {REASON_MIN} characters.", "reason"
        )
    if len(reason) > REASON_MAX:
        raise BreakGlassError(f"Keep the reason under {REASON_MAX} characters.", "reason")
    return reason


def admins_to_tell() -> list[User]:
    """Every active admin with an address."""
    admins = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(email="")
    return list(admins.order_by("pk"))


def _tell_admins(grant: BreakGlassGrant, user: User) -> list[int]:
    # No PHI: who opened it, when, and a link to sign in and see the grant.
    context = {
        "who": user.display_name,
        "when": local_day_hm(grant.started_at),
        "until": local_hm(grant.expires_at),
        "link": absolute_url("breakglass:grants") + f"#grant-{grant.pk}",
        "practice": settings.PRACTICE_NAME,
    }
    admins = admins_to_tell()
    for admin in admins:
        email_queue(to=admin.email, template=OPEN_EMAIL, context=context)
    return [admin.pk for admin in admins]


def break_glass_open(*, actor: Actor, client: Client, reason: str) -> BreakGlassGrant:
    """Open emergency access to `client` for BREAK_GLASS_MINUTES, audited, and e-mail
    the admins. Refused (BreakGlassError) for someone not named in advance, a reason
    too short, or a client the person already sees."""
    user = actor.staff
    if not may_break_glass(user):
        raise BreakGlassError("You are not named for emergency access.")
    text = check_reason(reason)
    with transaction.atomic():
        # Under the client's row lock, so that two requests at once open one grant: the
        # second finds the first's grant and is told the record is already open.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        # Read afresh under the lock, not as this request first read them: a grant
        # another request opened meanwhile must be seen here.
        if clients_visible_to(user, fresh=True).filter(pk=client.pk).exists():
            raise BreakGlassError("You already have access to this client's record.")
        started = now()
        grant = BreakGlassGrant.objects.create(
            user=user,
            client=client,
            reason=text,
            started_at=started,
            expires_at=started + dt.timedelta(minutes=settings.BREAK_GLASS_MINUTES),
        )
        forget_request_grants()
        notified = _tell_admins(grant, user)
        # The reason is free text: the trail keeps its length, never its words.
        detail = {
            "grant": grant.pk,
            "minutes": settings.BREAK_GLASS_MINUTES,
            "reason_length": len(text),
            "notified": notified,
        }
        log_action(actor, OPEN_ACTION, grant, client=client, detail=detail)
    return grant


def break_glass_end(*, actor: Actor, grant: BreakGlassGrant) -> BreakGlassGrant:
    """End a grant before it expires: by the person who holds it, or an admin.
    Ending one already ended or expired changes nothing and is not an error."""
    user = actor.staff
    if grant.user_id != user.pk and user.role != Role.ADMIN:
        raise BreakGlassError("You can end only your own emergency access.")
    with transaction.atomic():
        locked = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
        at = now()
        if not locked.is_active(at):
            return locked
        locked.ended_at = at
        locked.ended_by = user
        locked.save(update_fields=["ended_at", "ended_by"])
        forget_request_grants()
        detail = {"grant": locked.pk, "by_holder": locked.user_id == user.pk}
        log_action(actor, END_ACTION, locked, client=Client(pk=locked.client_id), detail=detail)
    return locked


def grants_in_force(user: User) -> list[BreakGlassGrant]:
    """The user's grants in force now, with their clients (the banner, the audit).
    Every staff request asks (clients.middleware), and almost every one has none: a
    plain look-up on the (user, expires_at) index answers that first, and the whole
    rule (the permission's joins) runs only when a grant has not yet expired."""
    if not holds_unexpired_grant(user):
        return []
    return list(active_grants(user).select_related("client").order_by("expires_at", "pk"))
