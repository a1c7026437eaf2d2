"""Two requests opening emergency access to the same client at the same moment (a
double click, two tabs): one grant, not two, and the admins are told once.

Needs a database that serves two writers at once with row locks (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from accounts.actor import Actor
from accounts.models import Role
from clients.breakglass import BreakGlassError, break_glass_open
from clients.models import BreakGlassGrant
from notifications.models import OutboundEmail
from pathways.testing import make_client, make_user, name_for_break_glass

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Crisis line called at 2 a.m.; her therapist is on leave."


def run_together(*jobs: Any) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job: Any) -> None:
        try:
            barrier.wait(timeout=10)
            job()
            outcomes.append("opened")
        except BreakGlassError as exc:
            outcomes.append(f"refused: {exc}")
        except Exception as exc:  # reported by the test
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("attempt", range(3))
def test_two_requests_at_once_open_one_grant(attempt: int) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot serve two writers at once")
    ada = make_user("ada", Role.ADMIN)
    named = name_for_break_glass(make_user("theo", Role.THERAPIST))
    wren = make_client(assigned_therapist=make_user("tess", Role.THERAPIST))

    def open_it() -> None:
        break_glass_open(actor=Actor.for_user(named), client=wren, reason=REASON)

    outcomes = run_together(open_it, open_it)

    assert sorted(outcomes) == [
        "opened",
        "refused: You already have access to this client's record.",
    ], outcomes
    assert BreakGlassGrant.objects.filter(user=named, client=wren).count() == 1
    assert OutboundEmail.objects.filter(to=ada.email).count() == 1
