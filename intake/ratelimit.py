"""The public forms' rate limit: requests, requests sent again and messages from one
address in an hour
(common.ratelimit counts them; PUBLIC_FORM_RATE_LIMIT is the ceiling)."""

from __future__ import annotations

from django.conf import settings

from common.ratelimit import over_limit


def is_limited(hashed_ip: str) -> bool:
    from intake.models import AppointmentRequest, ContactMessage, RequestNote

    # A request sent again is stored as a note on the first one: it counts too.
    sources = [
        AppointmentRequest.objects.all(),
        ContactMessage.objects.all(),
        RequestNote.objects.exclude(ip_hash=""),
    ]
    return over_limit(hashed_ip, sources, settings.PUBLIC_FORM_RATE_LIMIT)
