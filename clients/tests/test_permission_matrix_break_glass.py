"""Who may reach the emergency (break-glass) URLs (see pathways.testing.permission_matrix).

Opening: a therapist named in advance (the fixture's therapist holds the permission;
a therapist without it is refused in test_break_glass.py). Ending: the holder, or
an admin. The list of grants: the admin only.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from clients.models import BreakGlassGrant
from pathways.testing import (
    FORBIDDEN,
    OTHER_THERAPIST,
    STAFF_ROLES,
    Entry,
    Fixture,
    make_client,
    make_grant,
    make_user,
    name_for_break_glass,
    permission_matrix,
)

REASON = "Crisis call overnight; the client's therapist is away."


def _open_form(practice: Fixture) -> dict[str, Any]:
    stranger = practice["stranger"]
    return {"client_number": stranger.pk, "last_name": stranger.last_name, "reason": REASON}


MATRIX: dict[str, Entry] = {
    "breakglass:open": Entry(
        "GET POST",
        {Role.THERAPIST},
        data=_open_form,
        writes=True,
        redirects_to=lambda practice: practice["stranger"].get_absolute_url(),
        # A therapist the admin has not named in advance is refused (403, audited).
        expect={OTHER_THERAPIST: FORBIDDEN},
    ),
    "breakglass:end": Entry("POST", {Role.ADMIN, Role.THERAPIST}, "grant", writes=True),
    "breakglass:grants": Entry("GET", {Role.ADMIN}),
}


def practice() -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    users[Role.THERAPIST] = name_for_break_glass(users[Role.THERAPIST])
    colleague = make_user("colleague", Role.THERAPIST)
    # A client of a colleague's: the one the named therapist opens.
    stranger = make_client(first_name="Ines", last_name="Varga", assigned_therapist=colleague)
    held = make_client(first_name="Jonah", last_name="Pike", assigned_therapist=colleague)
    return {"users": users, "stranger": stranger, "grant": make_grant(users[Role.THERAPIST], held)}


def theirs(practice: Fixture) -> Fixture:
    owner = name_for_break_glass(make_user("on-call", Role.THERAPIST))
    client = make_client(first_name="Zephyrine", last_name="Quill")
    return {"owner": owner, "their_name": "Zephyrine", "grant": make_grant(owner, client)}


def snapshot() -> Any:
    return list(BreakGlassGrant.objects.order_by("pk").values_list("pk", "ended_at"))


TestBreakGlassMatrix = permission_matrix(MATRIX, practice, snapshot, theirs)
