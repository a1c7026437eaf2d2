"""The public forms' rate limit holds under parallel posts (common.ratelimit.serialized).

Counting and then storing used to let every one of ten parallel posts from one
address through a limit of five. The threaded test needs a database that serves
several writers at once (PostgreSQL); the sequential checks run everywhere.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from common.ratelimit import lock_number, serialized
from intake.models import AppointmentRequest

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/request-an-appointment/"
IP = "198.51.100.61"


_people = itertools.count()


def form_data(*, same_person: bool = False) -> dict[str, Any]:
    # A different person each time (the same person sending the form again within a day
    # is noted on the first request, not stored twice: intake.services.request_submit).
    n = 0 if same_person else next(_people) + 1
    return {
        "first_name": "Ines",
        "last_name": "Halvorsen",
        "email": f"ines{n}@example.com",
        "phone": f"(555) 010-{n:04d}",
        "preferred_contact": "phone",
        "reason": "Panic attacks at work.",
        "consent_to_contact": "on",
        "not_emergency_ack": "on",
        "token": str(uuid.uuid4()),
    }


def post_in_parallel(count: int, ip: str = IP) -> list[int]:
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def post() -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=20)
            statuses.append(Client().post(URL, form_data(), REMOTE_ADDR=ip).status_code)
        except Exception as exc:  # the test reports any other failure
            statuses.append(-1)
            raise exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def _skip_on_sqlite() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot serve several writers at once")


def test_it_stores_exactly_the_limit_from_twenty_parallel_posts() -> None:
    _skip_on_sqlite()
    limit = settings.PUBLIC_FORM_RATE_LIMIT

    statuses = post_in_parallel(20)

    assert statuses == [302] * limit + [429] * (20 - limit)
    assert AppointmentRequest.objects.count() == limit


def test_it_does_not_make_another_address_wait_or_count() -> None:
    _skip_on_sqlite()
    limit = settings.PUBLIC_FORM_RATE_LIMIT

    post_in_parallel(10)
    statuses = post_in_parallel(3, ip="198.51.100.62")

    assert statuses == [302, 302, 302]
    assert AppointmentRequest.objects.count() == limit + 3


def test_it_refuses_the_post_after_the_limit_one_after_the_other() -> None:
    limit = settings.PUBLIC_FORM_RATE_LIMIT
    statuses = [
        Client().post(URL, form_data(), REMOTE_ADDR=IP).status_code for _ in range(limit + 1)
    ]

    assert statuses == [302] * limit + [429]
    assert AppointmentRequest.objects.count() == limit


def test_it_counts_the_same_form_sent_again_toward_the_limit() -> None:
    limit = settings.PUBLIC_FORM_RATE_LIMIT
    statuses = [
        Client().post(URL, form_data(same_person=True), REMOTE_ADDR=IP).status_code
        for _ in range(limit + 1)
    ]

    assert statuses == [302] * limit + [429]
    # One request, sent again limit - 1 times, each noted on it (intake.ratelimit counts them).
    first = AppointmentRequest.objects.get()
    assert first.sent_again_count == limit - 1


def test_it_gives_each_key_its_own_lock_number() -> None:
    assert lock_number("a") != lock_number("b")
    assert lock_number("a") == lock_number("a")
    assert -(2**63) <= lock_number("a") < 2**63


def test_it_holds_the_lock_until_the_transaction_ends() -> None:
    _skip_on_sqlite()
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first() -> None:
        from django.db import connections

        try:
            with serialized("key"):
                order.append("first in")
                inside.set()
                release.wait(timeout=10)
                order.append("first out")
        finally:
            connections.close_all()

    def second() -> None:
        from django.db import connections

        try:
            inside.wait(timeout=10)
            with serialized("key"):
                order.append("second in")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    inside.wait(timeout=10)
    waiting = _wait_for_a_waiting_advisory_lock()
    release.set()
    for thread in threads:
        thread.join(timeout=20)

    assert waiting
    assert order == ["first in", "first out", "second in"]


def _wait_for_a_waiting_advisory_lock() -> bool:
    """Whether another connection is seen waiting for an advisory lock (within 10 s)."""
    from django.db import connections

    stop = threading.Event()
    try:
        for _ in range(200):
            with connections["default"].cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                )
                if cursor.fetchone()[0]:
                    return True
            stop.wait(0.05)
        return False
    finally:
        stop.set()
