"""The client record: search, the record page, and edits to it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import models
from django.forms import ModelForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import ALL_RECORDS_ROLES, CLIENT_ROLES, AuthedRequest, role_required
from audit.services import log_action
from clients import services
from clients.access import clients_for_user, get_client_for_user
from clients.forms import AllergyForm, ClientForm, DiagnosisForm, MedicationForm, SearchForm
from clients.models import Allergy, Client, Diagnosis, ReportedMedication
from clients.panels import render_panels, timeline_for
from clients.search import search_clients

PAGE_SIZE = 25

# The parts of the record kept as lists: form, model, and the field that ends an item.
ITEMS: dict[str, tuple[type[ModelForm], type[models.Model], str]] = {
    "diagnosis": (DiagnosisForm, Diagnosis, "resolved_at"),
    "medication": (MedicationForm, ReportedMedication, "stopped_at"),
    "allergy": (AllergyForm, Allergy, "removed_at"),
}


@require_GET
@role_required(*CLIENT_ROLES)
def client_list(request: AuthedRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    qs = clients_for_user(request)
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        qs = search_clients(qs, query)
    elif form.is_bound:
        # An unusable search (too long) lists nobody, not everybody.
        qs = qs.none()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # The search words are PHI: the trail keeps that a search happened, not what.
    detail = {"page": page.number, "count": len(page), "searched": bool(query)}
    log_action(request, "client.list", detail=detail)
    context = {"page": page, "form": form, "query": urlencode({"q": query}) if query else ""}
    return render(request, "clients/list.html", context)


def _detail_context(request: AuthedRequest, client: Client, **forms: object) -> dict:
    context: dict[str, object] = {
        "client": client,
        "source": getattr(client, "source_request", None),
        "diagnoses": client.diagnoses.all(),
        "medications": client.medications.all(),
        "allergies": client.allergies.all(),
        "panels": render_panels(request, client),
        "timeline": timeline_for(client),
    }
    for kind, (form_class, _, _) in ITEMS.items():
        context[f"{kind}_form"] = forms.get(kind) or form_class(prefix=kind)
    return context


@require_GET
@role_required(*CLIENT_ROLES)
def client_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk)
    log_action(request, "client.view", client, client=client)
    return render(request, "clients/detail.html", _detail_context(request, client))


@require_http_methods(["GET", "POST"])
@role_required(*ALL_RECORDS_ROLES)
def client_new(request: AuthedRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = services.client_create(request, form)
        messages.success(request, "Client record created.")
        return redirect(client)
    return render(request, "clients/edit.html", {"form": form, "client": None})


@require_http_methods(["GET", "POST"])
@role_required(*CLIENT_ROLES)
def client_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk)
    can_assign = request.user.role in ALL_RECORDS_ROLES
    form = ClientForm(request.POST or None, instance=client, can_assign=can_assign)
    if request.method == "POST" and form.is_valid():
        services.client_update(request, form)
        messages.success(request, "Record saved.")
        return redirect(client)
    log_action(request, "client.view", client, client=client)
    return render(request, "clients/edit.html", {"form": form, "client": client})


@require_POST
@role_required(*CLIENT_ROLES)
def item_add(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    client = get_client_for_user(request, pk)
    form_class, _, _ = ITEMS[kind]
    form = form_class(request.POST, prefix=kind)
    if form.is_valid():
        services.record_item_add(request, client, form)
        messages.success(request, "Added to the record.")
        return redirect(client)
    # Show the record again with the error beside the field and the typed text kept.
    log_action(request, "client.view", client, client=client)
    context = _detail_context(request, client, **{kind: form})
    return render(request, "clients/detail.html", context)


@require_POST
@role_required(*CLIENT_ROLES)
def item_end(request: AuthedRequest, pk: int, kind: str, item_id: int) -> HttpResponse:
    client = get_client_for_user(request, pk)
    _, model, field = ITEMS[kind]
    item = get_object_or_404(model, pk=item_id, client=client)
    if getattr(item, field) is None:
        services.record_item_end(request, item, field)
    messages.success(request, "Record updated; the history is kept.")
    return redirect(client)
