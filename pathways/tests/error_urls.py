"""A URLconf with a view that fails, for test_error_pages.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [
    path("fails/", fails),
    path("", include("pathways.urls")),
]
