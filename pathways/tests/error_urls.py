"""A URLconf for test_error_pages and test_error_pages_debug: views that raise what a
real view may raise."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path


def not_found(request: HttpRequest) -> HttpResponse:
    raise Http404("No such record")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("Not your role")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A real bug")


def own_404(request: HttpRequest) -> HttpResponse:
    return HttpResponse("The view's own answer", status=404)


urlpatterns = [
    path("raise-404/", not_found),
    path("raise-403/", forbidden),
    path("raise-500/", broken),
    path("fails/", broken),
    path("own-404/", own_404),
    path("", include("pathways.urls")),
]
