"""URLs for the refusal middleware's tests: views that refuse in each way."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path

from accounts.actor import Actor, actor_from
from audit.services import log_action


def audits_its_refusal(request: HttpRequest) -> HttpResponse:
    log_action(actor_from(request), "thing.access_refused", detail={"why": "test"})
    raise PermissionDenied


def audit_rolled_back(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        log_action(Actor.system(), "thing.view")
        transaction.set_rollback(True)
    raise Http404


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def secret(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404


staff = (
    [
        path("audited/", audits_its_refusal, name="audited"),
        path("rolled-back/", audit_rolled_back, name="rolled_back"),
        path("ok/", ok, name="ok"),
    ],
    "refusals",
)
urlpatterns = [
    path("staff/", include(staff)),
    path("consent/<str:token>/", secret, name="secret"),
    path("public/<str:token>/", secret, name="public"),
    # The project's URLs after these: the 403 and 404 pages link back to them.
    path("", include("pathways.urls")),
]
