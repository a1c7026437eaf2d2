"""Per-IP rate limits for public forms, counted in the database.

Counting stored rows (rather than a per-process cache) holds across gunicorn
workers with no extra service. Only a keyed hash of the address is kept.

Counting and then storing is a race: ten parallel posts from one address all
count four rows and all store. So a caller counts and stores inside
`serialized(key)`: one transaction that first takes a lock on the key, held until
it commits. A second request for the same key waits at the lock and then counts
the rows the first one stored; requests for other keys do not wait.

- PostgreSQL: a transaction-level advisory lock on a 64-bit number derived from the
  key (`pg_advisory_xact_lock`), released at commit or rollback. No table.
- SQLite: the project opens every transaction with BEGIN IMMEDIATE
  (settings.DATABASES, "transaction_mode"), which takes the database's write lock
  at once: transactions that write are already one at a time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

WINDOW = timedelta(hours=1)


def ip_hash(ip: str | None) -> str:
    """A keyed hash of the address (SECRET_KEY), so a stored row does not reveal it."""
    if not ip:
        return ""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def over_limit(hashed_ip: str, sources: Iterable[Any], limit: int) -> bool:
    """Whether rows stored from this address in the last WINDOW reach `limit`.

    `sources` are querysets of models with `ip_hash` and `created_at` fields. Call it
    inside `serialized(hashed_ip)`, with the insert it guards, or parallel requests
    can all pass it.
    """
    if not hashed_ip:
        return False
    since = timezone.now() - WINDOW
    sent = sum(
        source.filter(ip_hash=hashed_ip, created_at__gte=since).count() for source in sources
    )
    return bool(sent >= limit)


def lock_number(key: str) -> int:
    """The signed 64-bit advisory-lock number of `key` (PostgreSQL's bigint)."""
    digest = hashlib.sha256(f"pathways.ratelimit:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def serialized(key: str) -> Iterator[None]:
    """A transaction in which no other request holding the same `key` runs: count
    and store inside it (see the module doc). An empty key (no address) is not
    limited, so it takes no lock."""
    with transaction.atomic():
        if key:
            _lock(key)
        yield


def _lock(key: str) -> None:
    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_number(key)])
    elif vendor != "sqlite":  # SQLite: BEGIN IMMEDIATE already serialises writers
        raise ImproperlyConfigured(f"common.ratelimit cannot lock on {vendor}")
