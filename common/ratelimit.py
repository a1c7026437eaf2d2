"""Per-IP rate limits for public forms, counted in the database.

Counting stored rows (rather than a per-process cache) holds across gunicorn
workers with no extra service. Only a keyed hash of the address is kept.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
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

    `sources` are querysets of models with `ip_hash` and `created_at` fields.
    """
    if not hashed_ip:
        return False
    since = timezone.now() - WINDOW
    sent = sum(
        source.filter(ip_hash=hashed_ip, created_at__gte=since).count() for source in sources
    )
    return bool(sent >= limit)
