"""The client record: search, the record page, and edits to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import models
from django.forms import BaseForm, ModelForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import ALL_RECORDS_ROLES, CLIENT_ROLES, AuthedRequest, role_required
from accounts.actor import Actor, actor_from
from audit.services import log_action
from clients import services
from clients.access import clients_for_user, get_client_for_user
from clients.forms import AllergyForm, ClientForm, DiagnosisForm, MedicationForm, SearchForm
from clients.models import Allergy, Client, Diagnosis, ReportedMedication
from clients.panels import render_panels, timeline_for
from clients.search import search_clients
from common.forms import values_of

PAGE_SIZE = 25

# Adds one item of a kind to the record, from its form's cleaned values.
ItemAdd = Callable[[Actor, Client, dict[str, Any]], models.Model]


def _add_diagnosis(actor: Actor, client: Client, data: dict[str, Any]) -> models.Model:
    return services.diagnosis_add(
        actor=actor, client=client, code=data["code"], description=data["description"]
    )


def _add_medication(actor: Actor, client: Client, data: dict[str, Any]) -> models.Model:
    return services.medication_add(
        actor=actor,
        client=client,
        name=data["name"],
        dose=data["dose"],
        frequency=data["frequency"],
    )


def _add_allergy(actor: Actor, client: Client, data: dict[str, Any]) -> models.Model:
    return services.allergy_add(
        actor=actor,
        client=client,
        substance=data["substance"],
        reaction=data["reaction"],
        severity=data["severity"],
    )


# The parts of the record kept as lists: form, model, and how an item is added.
ITEMS: dict[str, tuple[type[ModelForm[Any]], type[services.RecordItem], ItemAdd]] = {
    "diagnosis": (DiagnosisForm, Diagnosis, _add_diagnosis),
    "medication": (MedicationForm, ReportedMedication, _add_medication),
    "allergy": (AllergyForm, Allergy, _add_allergy),
}


def _details(form: ClientForm) -> services.ClientDetails:
    return values_of(services.ClientDetails, form.cleaned_data)


def _show_error(form: BaseForm, exc: services.ClientError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


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
    log_action(actor_from(request), "client.list", detail=detail)
    context = {"page": page, "form": form, "query": urlencode({"q": query}) if query else ""}
    return render(request, "clients/list.html", context)


def _detail_context(request: AuthedRequest, client: Client, **forms: object) -> dict[str, object]:
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
    log_action(actor_from(request), "client.view", client, client=client)
    return render(request, "clients/detail.html", _detail_context(request, client))


@require_http_methods(["GET", "POST"])
@role_required(*ALL_RECORDS_ROLES)
def client_new(request: AuthedRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(actor=actor_from(request), details=_details(form))
        except services.ClientError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, "Client record created.")
            return redirect(client)
    return render(request, "clients/edit.html", {"form": form, "client": None})


@require_http_methods(["GET", "POST"])
@role_required(*CLIENT_ROLES)
def client_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk)
    can_assign = request.user.role in ALL_RECORDS_ROLES
    form = ClientForm(request.POST or None, instance=client, can_assign=can_assign)
    actor = actor_from(request)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(actor=actor, client=client, details=_details(form))
        except services.ClientError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, "Record saved.")
            return redirect(client)
    log_action(actor, "client.view", client, client=client)
    return render(request, "clients/edit.html", {"form": form, "client": client})


@require_POST
@role_required(*CLIENT_ROLES)
def item_add(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    client = get_client_for_user(request, pk)
    form_class, _, add = ITEMS[kind]
    form = form_class(request.POST, prefix=kind)
    actor = actor_from(request)
    if form.is_valid():
        try:
            add(actor, client, form.cleaned_data)
        except services.ClientError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, "Added to the record.")
            return redirect(client)
    # Show the record again with the error beside the field and the typed text kept.
    log_action(actor, "client.view", client, client=client)
    context = _detail_context(request, client, **{kind: form})
    return render(request, "clients/detail.html", context)


@require_POST
@role_required(*CLIENT_ROLES)
def item_end(request: AuthedRequest, pk: int, kind: str, item_id: int) -> HttpResponse:
    client = get_client_for_user(request, pk)
    _, model, _ = ITEMS[kind]
    # get_object_or_404's stub loses the union of model classes and answers Model.
    item: services.RecordItem = get_object_or_404(model, pk=item_id, client=client)  # type: ignore[assignment]
    services.record_item_end(actor=actor_from(request), item=item)
    messages.success(request, "Record updated; the history is kept.")
    return redirect(client)
