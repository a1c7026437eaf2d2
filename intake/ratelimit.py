"""Per-IP rate limit for the public forms, counted in the database.

Counting stored rows (rather than a per-process cache) holds across gunicorn
workers with no extra service. Only a keyed hash of the address is kept.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

WINDOW = timedelta(hours=1)


def ip_hash(ip: str | None) -> str:
    if not ip:
        return ""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def is_limited(hashed_ip: str) -> bool:
    from intake.models import AppointmentRequest, ContactMessage

    if not hashed_ip:
        return False
    since = timezone.now() - WINDOW
    sent = (
        AppointmentRequest.objects.filter(ip_hash=hashed_ip, created_at__gte=since).count()
        + ContactMessage.objects.filter(ip_hash=hashed_ip, created_at__gte=since).count()
    )
    return sent >= settings.PUBLIC_FORM_RATE_LIMIT
