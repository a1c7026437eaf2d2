"""The BLS display: the page for the client's screen (a wall monitor, a tablet, a
laptop turned to the client, or the client's own device at home).

Public and anonymous: the screen in front of the client is not signed in, and it
never holds PHI. Nothing of a record, a client or a therapist is in its context or
in anything it is sent (bls/consumers.py speaks to it with codes, settings and pass
counts only). The pairing code, which changes every two minutes, is the only link.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from common.middleware import PERMISSIONS_POLICY

# Where the display's script opens its socket (bls/routing.py serves it).
DISPLAY_SOCKET_PATH = "/ws/bls/display/"
# The site refuses every page the screen wake lock (common.middleware); the display
# alone may keep its own screen awake during a set (never anything it embeds).
DISPLAY_PERMISSIONS_POLICY = PERMISSIONS_POLICY.replace(
    "screen-wake-lock=()", "screen-wake-lock=(self)"
)


@require_GET
# no-store: the page is the same for everyone, but a shared screen's cache should
# not keep even that (and a stale script would speak an old protocol).
@never_cache
def display(request: HttpRequest) -> HttpResponse:
    response = render(request, "bls/display.html", {"socket_path": DISPLAY_SOCKET_PATH})
    response["Permissions-Policy"] = DISPLAY_PERMISSIONS_POLICY
    return response
