"""Emergency (break-glass) access: open it, end it, and the admins' list of grants.
See clients/breakglass.py for the rules."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import AuthedRequest, View, role_required
from accounts.actor import actor_from
from accounts.models import Role
from accounts.reauth import reauth_required
from audit.services import log_action
from clients.breakglass import (
    REFUSED_ACTION,
    BreakGlassError,
    break_glass_end,
    break_glass_open,
    may_break_glass,
)
from clients.breakglass_forms import BreakGlassForm, find_client
from clients.models import BreakGlassGrant
from clients.queries import clients_visible_to, now

PAGE_SIZE = 50


def named_required(view: View) -> View:
    """Only a user named in advance; anyone else gets a 403, audited. Put it between
    role_required and reauth_required: someone not named is refused, not asked to
    re-authenticate first."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        authed: AuthedRequest = request  # type: ignore[assignment]  # behind role_required
        if not may_break_glass(authed.user):
            log_action(actor_from(request), REFUSED_ACTION, detail={"refused": "not_named"})
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_http_methods(["GET", "POST"])
@role_required(Role.THERAPIST)
@named_required
@reauth_required
def open_access(request: AuthedRequest) -> HttpResponse:
    form = BreakGlassForm(request.POST or None)
    actor = actor_from(request)
    if request.method == "POST" and form.is_valid():
        try:
            client = find_client(form.cleaned_data)
        except ValidationError as exc:
            form.add_error("last_name", exc)
            # What was typed is PHI: the trail keeps only that nothing matched.
            log_action(actor, REFUSED_ACTION, detail={"refused": "no_match"})
        else:
            if clients_visible_to(request.user).filter(pk=client.pk).exists():
                messages.info(request, "You already have access to this client's record.")
                return redirect(client)
            try:
                grant = break_glass_open(
                    actor=actor, client=client, reason=form.cleaned_data["reason"]
                )
            except BreakGlassError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.warning(
                    request,
                    f"Emergency access opened until {grant.until_label}. "
                    "Every page you open is recorded, and the admins have been told.",
                )
                return redirect(client)
    context = {"form": form, "minutes": f"{settings.BREAK_GLASS_MINUTES} minutes"}
    return render(request, "clients/break_glass.html", context)


def _grants_for_user(request: AuthedRequest) -> QuerySet[BreakGlassGrant]:
    # An admin may end anyone's grant; a therapist only their own (404 for others').
    qs = BreakGlassGrant.objects.all()
    if request.user.role == Role.ADMIN:
        return qs
    return qs.filter(user=request.user)


@require_POST
@role_required(Role.ADMIN, Role.THERAPIST)
def end_access(request: AuthedRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(_grants_for_user(request), pk=pk)
    break_glass_end(actor=actor_from(request), grant=grant)
    messages.success(request, "Emergency access ended.")
    if grant.user_id == request.user.pk:
        return redirect("clients:list")
    return redirect("breakglass:grants")


@require_GET
@role_required(Role.ADMIN)
def grants(request: AuthedRequest) -> HttpResponse:
    qs = BreakGlassGrant.objects.select_related("user", "client", "ended_by")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # The reasons are read here: the trail keeps which grants were shown.
    detail = {"page": page.number, "grants": [grant.pk for grant in page]}
    log_action(actor_from(request), "breakglass.list", detail=detail)
    at = now()
    rows = [(grant, grant.status_at(at)) for grant in page]
    context: dict[str, Any] = {"page": page, "rows": rows}
    return render(request, "clients/break_glass_grants.html", context)
