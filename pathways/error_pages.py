"""The practice's own 403 and 404 pages in development too.

With DEBUG on, Django answers a 404 with its technical page (the URL patterns, the
settings' name) and a PermissionDenied with a bare "403 Forbidden"; in production
the project's templates/404.html and 403.html are shown. This middleware shows those
templates whatever DEBUG says, so what a developer sees is what a user will see. A
real exception (a 500) is left alone: Django's debug page is what a developer needs
then. With DEBUG off it does nothing (Django's own handlers render the templates).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


class StyledErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # No URL pattern matched (resolve() raised before any view ran): under DEBUG,
        # Django's technical 404 page is the answer; show the practice's instead.
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return render(request, "404.html", status=404)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not settings.DEBUG:
            return None
        if isinstance(exception, Http404):
            return render(request, "404.html", status=404)
        if isinstance(exception, PermissionDenied):
            return render(request, "403.html", {"exception": exception}, status=403)
        return None
