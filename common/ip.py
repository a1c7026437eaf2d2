from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The caller's IP address, as audit and axes should record it.

    X-Forwarded-For is read only when USE_X_FORWARDED_FOR says our proxy sets it,
    and then only its right-most entry: the one our proxy appended. Entries to its
    left were written by the caller, who could put any address there.
    """
    raw = request.META.get("REMOTE_ADDR", "")
    if settings.USE_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            raw = forwarded.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None
