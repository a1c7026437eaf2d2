"""Client records (minimal for now: later issues add the full record)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.access import ALL_RECORDS_ROLES, CLIENT_ROLES, AuthedRequest, role_required
from audit.services import log_action
from clients.models import Client

PAGE_SIZE = 25


def _clients_for_user(request: AuthedRequest) -> QuerySet[Client]:
    qs = Client.objects.select_related("assigned_therapist", "service_of_interest")
    if request.user.role in ALL_RECORDS_ROLES:
        return qs
    return qs.filter(assigned_therapist=request.user)


def _get_client_for_user(request: AuthedRequest, pk: int) -> Client:
    return get_object_or_404(_clients_for_user(request), pk=pk)


@require_GET
@role_required(*CLIENT_ROLES)
def client_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(_clients_for_user(request), PAGE_SIZE).get_page(request.GET.get("page"))
    log_action(request, "client.list", detail={"page": page.number, "count": len(page)})
    return render(request, "clients/list.html", {"page": page})


@require_GET
@role_required(*CLIENT_ROLES)
def client_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    client = _get_client_for_user(request, pk)
    log_action(request, "client.view", client, client=client)
    source = getattr(client, "source_request", None)
    return render(request, "clients/detail.html", {"client": client, "source": source})
