"""Every request made during emergency (break-glass) access leaves an audit entry.

A middleware rather than a hook in the access helpers: the helpers build querysets
(`clients_visible_to` is a subquery inside the dosing, EMDR, consent … helpers) and
cannot tell which request reads the client, and a page that reads nothing of the
record (the calendar, a search) is still part of what the person did with the
window open. So while a grant is in force, each request of its holder, whatever
the URL and whatever the answer, is written as "breakglass.request" against the
client, with the URL's name and route (never the path), the method and the status.

It also puts the grants on the request (`request.break_glass_grants`) for the
banner in staff_base.html, and gives their clients to `clients.queries` for the rest
of the request (`grants_of_this_request`): one read per request, not one per section.
Place it after the user is read and outside audit.middleware.RefusalAuditMiddleware
(see settings.MIDDLEWARE).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts.actor import actor_from
from accounts.models import User
from audit.middleware import url_name
from audit.services import log_action
from clients.breakglass import REQUEST_ACTION, grants_in_force
from clients.queries import grants_of_this_request


class BreakGlassAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_authenticated:
            return self.get_response(request)
        # Read at every request, against the current time: an expired grant is no grant.
        grants = grants_in_force(user)
        request.break_glass_grants = grants  # type: ignore[attr-defined]
        # The same answer for every `clients_visible_to` of this request.
        with grants_of_this_request(user, (grant.client_id for grant in grants)):
            response = self.get_response(request)
        if grants:
            name, route = url_name(request)
            actor = actor_from(request)
            for grant in grants:
                detail = {
                    "grant": grant.pk,
                    "url_name": name,
                    "route": route,
                    "method": request.method or "",
                    "status": response.status_code,
                }
                log_action(actor, REQUEST_ACTION, grant, client=grant.client, detail=detail)
        return response
