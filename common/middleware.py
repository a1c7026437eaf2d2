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
