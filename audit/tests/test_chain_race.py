"""Two writers at once cannot fork the chain: log_action reads and moves the chain's
end under a lock held until its transaction commits.

Needs a database that serves two writers at once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from accounts.actor import Actor
from audit.chain import verify_chain
from audit.models import AuditEvent
from audit.services import log_action

pytestmark = pytest.mark.django_db(transaction=True)
WRITERS = 4
EACH = 15


def test_concurrent_writers_keep_one_chain() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot serve two writers at once")
    barrier = threading.Barrier(WRITERS)
    errors: list[str] = []

    def write(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(EACH):
                # Inside a caller's transaction, as the services call it.
                with transaction.atomic():
                    log_action(Actor.system(), "request.view", detail={"writer": n, "i": i})
        except Exception as exc:  # reported by the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert AuditEvent.objects.count() == WRITERS * EACH
    report = verify_chain()
    assert report.ok, report.problem
    assert report.count == WRITERS * EACH
