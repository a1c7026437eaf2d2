from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

PUBLIC_CACHEABLE_PREFIXES = ("/static/",)


class NoStoreMiddleware:
    """Send Cache-Control: no-store on every page that might hold PHI.

    That is every staff page, every response to a signed-in user, and every
    response to a POST (a public form echoed back with its errors holds what the
    person typed). Only static files and anonymous GETs of public pages are
    left cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(PUBLIC_CACHEABLE_PREFIXES):
            return response
        if (
            request.method not in ("GET", "HEAD")
            or request.user.is_authenticated
            or request.path.startswith(("/staff/", "/admin/"))
            or getattr(request, "phi_page", False)
        ):
            add_never_cache_headers(response)
        return response


# Features no page of Pathways uses, refused to every page and to anything it
# embeds: a script that got in could not turn on the camera or find the client.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PermissionsPolicyMiddleware:
    """Send Permissions-Policy (PERMISSIONS_POLICY) on every response: high in
    MIDDLEWARE, so that it covers static files (WhiteNoise) and lock-out pages too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
