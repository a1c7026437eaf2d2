"""Every refused request for a page that holds PHI leaves an audit entry.

A 403, 404 or 410 answered under the staff area, the partner portal, the admin or a
client's secret link (consent, measures, calendar feed) is written to the trail as
"access.refused", with who (the signed-in user, if any), the address, the method,
the status and the URL's name and route pattern: never the path itself, which on a
secret link carries the token. A view that already audited its own refusal (an
entry it wrote during the request is still there after it answered) is not logged
twice.

Add it after AuthenticationMiddleware (it reads request.user); see settings.MIDDLEWARE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse

from audit.models import AuditEvent
from audit.services import log_action, watch_entries
from common.ip import client_ip

REFUSED_ACTION = "access.refused"
# 410: a secret link that is used up or expired (a refusal too).
REFUSED_STATUSES = (403, 404, 410)
# The URLs that hold PHI: the staff area, the partner portal, the admin, and the
# secret links sent to clients (consent, measures) and clinicians (calendar feed).
PHI_PREFIXES = ("/staff/", "/partner/", "/admin/", "/consent/", "/measures/", "/calendar/")


@dataclass(frozen=True)
class RequestActor:
    """Who made the request, in the shape log_action takes (audit sits below
    accounts, so it cannot build an accounts.actor.Actor)."""

    user: AbstractBaseUser | None
    ip: str | None
    kind: str


def request_actor(request: HttpRequest) -> RequestActor:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and isinstance(user, AbstractBaseUser):
        return RequestActor(user=user, ip=client_ip(request), kind="user")
    return RequestActor(user=None, ip=client_ip(request), kind="client_link")


def url_name(request: HttpRequest) -> tuple[str, str]:
    """The URL's name ("clients:detail") and route pattern, never its path."""
    match = request.resolver_match
    if match is None:
        return "", ""
    return match.view_name or "", match.route or ""


class RefusalAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PHI_PREFIXES):
            return self.get_response(request)
        with watch_entries() as written:
            response = self.get_response(request)
        if response.status_code not in REFUSED_STATUSES:
            return response
        # The view audited its own refusal (and that entry was committed): once is enough.
        if written and AuditEvent.objects.filter(pk__in=written).exists():
            return response
        name, route = url_name(request)
        log_action(
            request_actor(request),
            REFUSED_ACTION,
            detail={
                "status": response.status_code,
                "method": request.method or "",
                "url_name": name,
                "route": route,
            },
        )
        return response
