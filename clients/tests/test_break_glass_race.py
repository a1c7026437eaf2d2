"""Two requests opening emergency access to the same client at the same moment (a
double click, two tabs): one grant, not two, and the admins are told once.

Needs a database that serves two writers at once with row locks (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.actor import Actor
from accounts.models import Role
from clients.breakglass import BreakGlassError, break_glass_open
from clients.models import BreakGlassGrant
from notifications.models import OutboundEmail
from pathways.testing import Job, make_client, make_user, name_for_break_glass
from pathways.testing import run_together as shared_run_together

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Crisis line called at 2 a.m.; her therapist is on leave."


def run_together(*jobs: Job) -> list[str]:
    return shared_run_together(*jobs, refused=(BreakGlassError,))


@pytest.mark.parametrize("attempt", range(3))
def test_two_requests_at_once_open_one_grant(attempt: int) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot serve two writers at once")
    ada = make_user("ada", Role.ADMIN)
    named = name_for_break_glass(make_user("theo", Role.THERAPIST))
    wren = make_client(assigned_therapist=make_user("tess", Role.THERAPIST))

    def open_it() -> str:
        break_glass_open(actor=Actor.for_user(named), client=wren, reason=REASON)
        return "opened"

    outcomes = run_together(open_it, open_it)

    assert sorted(outcomes) == [
        "opened",
        "refused: You already have access to this client's record.",
    ], outcomes
    assert BreakGlassGrant.objects.filter(user=named, client=wren).count() == 1
    assert OutboundEmail.objects.filter(to=ada.email).count() == 1
