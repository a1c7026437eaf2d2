"""Audited writes to accounts: a user's own (authenticator, sessions) and the
admin's (privilege changes, authenticator resets)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Authenticator, User
from audit.services import log_action


def otp_device_confirm(*, actor: Actor, device: Authenticator) -> None:
    """Confirm the authenticator the signed-in user has just proved with a code.
    Only their own device: someone else's is refused. It replaces the one they had:
    the old authenticator stops working (a lost phone must not still sign in)."""
    user = actor.staff
    if device.user_id != user.pk:
        raise PermissionError("That authenticator belongs to someone else.")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        replaced, _ = Authenticator.objects.filter(user=user).exclude(pk=device.pk).delete()
        log_action(actor, "auth.2fa_enrolled", user, detail={"replaced": replaced})


def user_sessions_revoke(*, actor: Actor, user: User) -> None:
    """Sign `user` out everywhere: every session begun before now ends on its next
    request (User.get_session_auth_hash covers sessions_revoked_at). A user may do
    it for themselves only."""
    if actor.staff.pk != user.pk:
        raise PermissionError("You can sign out only your own sessions.")
    with transaction.atomic():
        user.sessions_revoked_at = timezone.now()
        user.save(update_fields=["sessions_revoked_at"])
        log_action(actor, "auth.sign_out_everywhere", user)


def user_admin_audit(*, actor: Actor, user: User, before: dict[str, Any] | None) -> None:
    """Audit a save of a user in the admin: a new user, or a change of what they may
    do (PRIVILEGE_FIELDS), with each field's old and new value. `before` is the
    saved user's PRIVILEGE_FIELDS before the change (None for a new user)."""
    after = privileges_of(user)
    if before is None:
        log_action(actor, "user.create", user, detail={"privileges": after})
        return
    changed = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    user_privilege_log(actor=actor, user=user, changed=changed)


def user_privilege_log(*, actor: Actor, user: User, changed: dict[str, list[Any]]) -> None:
    """Audit a change of what `user` may do: `changed` maps each field (or e.g.
    "partner", for an app above accounts that grants access) to [old, new] ids or
    values, never free text. Nothing changed, nothing logged."""
    if changed:
        log_action(actor, "user.privilege_change", user, detail={"changed": changed})


# What a user may do: a change to any of these is a privilege change.
PRIVILEGE_FIELDS = ("role", "is_active", "is_staff", "is_superuser", "is_clinician", "on_call")


# ... and the groups and permissions it holds, by id.
PRIVILEGE_SETS = ("groups", "user_permissions")


def privileges_of(user: User) -> dict[str, Any]:
    """The saved user's PRIVILEGE_FIELDS and PRIVILEGE_SETS (ids, sorted)."""
    values: dict[str, Any] = {name: getattr(user, name) for name in PRIVILEGE_FIELDS}
    values["groups"] = sorted(user.groups.values_list("pk", flat=True))
    values["user_permissions"] = sorted(user.user_permissions.values_list("pk", flat=True))
    return values


def otp_devices_reset(*, actor: Actor, devices: list[Authenticator]) -> None:
    """Delete authenticators (the admin's "reset two-factor sign-in"), each audited
    against its user; the secret is never logged."""
    if actor.user is None:
        raise PermissionError("Only a signed-in member of staff can reset an authenticator.")
    with transaction.atomic():
        for device in devices:
            user, device_id = device.user, device.pk
            device.delete()
            log_action(actor, "auth.2fa_reset", user, detail={"device_id": device_id})
