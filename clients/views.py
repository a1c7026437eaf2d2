"""The client record: search, the chart (a header and tabs), and edits to it.

The chart is one page per tab (`/staff/clients/<pk>/` is the overview,
`/staff/clients/<pk>/<tab>/` the others): each renders the whole page, so a link
works without JavaScript; htmx swaps only the tab bar and panel when it is there.
Each tab's GET is a PHI read, audited with the tab's name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import models
from django.forms import BaseForm, ModelForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import ALL_RECORDS_ROLES, CLIENT_ROLES, AuthedRequest, role_required
from accounts.actor import Actor, actor_from
from accounts.models import User
from audit.services import log_action
from clients import services
from clients.access import clients_for_user, get_client_for_user
from clients.forms import AllergyForm, ClientForm, DiagnosisForm, MedicationForm, SearchForm
from clients.models import Allergy, Client, Diagnosis, ReportedMedication
from clients.overview import overview_lists, read_creator
from clients.panels import (
    OVERVIEW,
    TAB_LABELS,
    TABS,
    age_on,
    header_facts,
    render_panels,
    timeline_for,
)
from clients.search import search_clients
from common.forms import blank_form, values_of
from common.reversing import STAND_INS, Reverser
from common.rows import day, label, rows
from common.sections import counted_page

PAGE_SIZE = 25
# The timeline shows the most recent entries a page at a time: a client of two years
# has hundreds (521 in the 10,000-client demo), which no one reads at once.
TIMELINE_PAGE_SIZE = 50

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
    qs = clients_for_user(request).only(*LIST_FIELDS)
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        qs = search_clients(qs, query)
    elif form.is_bound:
        # An unusable search (too long) lists nobody, not everybody.
        qs = qs.none()
    if query:
        # A search's count comes with the page's rows: one query where Django's
        # paginator ran two (by name on SQLite, each a scan of every client).
        page = counted_page(qs, request.GET.get("page"), PAGE_SIZE)
    else:
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # The search words are PHI: the trail keeps that a search happened, not what.
    detail = {"page": page.number, "count": len(page), "searched": bool(query)}
    log_action(actor_from(request), "client.list", detail=detail)
    context = {
        "page": page,
        "rows": list_rows(page),
        "form": form,
        "query": urlencode({"q": query}) if query else "",
    }
    return render(request, "clients/list.html", context)


# What a row of the list shows (LIST_ROW), the only columns read for it: a whole client
# and a whole therapist (some 40 columns) were a quarter of the list's work.
LIST_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "date_of_birth",
    "status",
    "assigned_therapist",
    *User.display_name_fields("assigned_therapist__"),
)

# One client of the list (common.rows: a page's rows through the template were a
# fifth of the list's work at 10,000 clients, issue 14).
LIST_ROW = """
  <tr><td><a href="{url}">{last_name}, {first_name}</a></td><td>{born}</td><td>{status}</td>
    <td>{therapist}</td></tr>
  """


def list_rows(clients: Iterable[Client]) -> SafeString:
    url = Reverser()  # Client.get_absolute_url, with the URLconf read once for the page
    return rows(
        LIST_ROW,
        (
            {
                "url": url("clients:detail", c.pk),
                "last_name": c.last_name,
                "first_name": c.first_name,
                "born": day(c.date_of_birth) or "—",
                "status": label(c, "status"),
                "therapist": c.assigned_therapist.display_name if c.assigned_therapist else "—",
            }
            for c in clients
        ),
    )


def tab_url(client: Client, tab: str) -> str:
    """The tab's URL: reversed once per process and tab, the client's number put in
    (seven tabs reversed on every chart view were 3% of its work, issue 14)."""
    urlconf = get_urlconf()
    before, after = _tab_parts(tab, urlconf, get_resolver(urlconf), get_script_prefix())
    return f"{before}{int(client.pk)}{after}"


@lru_cache(maxsize=64)
def _tab_parts(tab: str, urlconf: str | None, resolver: object, prefix: str) -> tuple[str, str]:
    # The resolver and the prefix are in the key: a URLconf or a prefix changed at run
    # time (a test's override) reverses again.
    stand_in = STAND_INS[0]
    if tab == OVERVIEW:
        url = reverse("clients:detail", args=[stand_in])
    else:
        url = reverse("clients:tab", args=[stand_in, tab])
    before, _, after = url.partition(str(stand_in))
    return before, after


def _chart_context(
    request: AuthedRequest, client: Client, tab: str, **forms: object
) -> dict[str, object]:
    """The header, the tab bar and `tab`'s panels; the record and its lists on the
    overview, the timeline on its tab (each tab reads only what it shows)."""
    context: dict[str, object] = {
        "client": client,
        "age": age_on(client.date_of_birth, timezone.localdate()),
        "facts": header_facts(request, client),
        "tab": tab,
        "tab_label": TAB_LABELS[tab],
        "tabs": [(slug, label, tab_url(client, slug)) for slug, label in TABS],
        "panels": render_panels(request, client, tab),
    }
    if tab == OVERVIEW:
        read_creator(client)
        context.update(source=getattr(client, "source_request", None), **overview_lists(client))
        for kind, (form_class, _, _) in ITEMS.items():
            # A blank one is the same for everyone: written once (common.forms).
            context[f"{kind}_form"] = forms.get(kind) or blank_form(form_class, prefix=kind)
    if tab == "timeline":
        page = Paginator(timeline_for(client), TIMELINE_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context.update(timeline=page.object_list, timeline_page=page)
    return context


def _chart(request: AuthedRequest, client: Client, tab: str, **forms: object) -> HttpResponse:
    log_action(actor_from(request), "client.view", client, client=client, detail={"tab": tab})
    context = _chart_context(request, client, tab, **forms)
    return render(request, "clients/detail.html", context)


@require_GET
@role_required(*CLIENT_ROLES)
def client_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The chart's overview."""
    return _chart(request, get_client_for_user(request, pk), OVERVIEW)


@require_GET
@role_required(*CLIENT_ROLES)
def client_tab(request: AuthedRequest, pk: int, tab: str) -> HttpResponse:
    """One tab of the chart; a tab that does not exist is a 404 (after the client's
    own check, so that it tells nothing about someone else's client)."""
    client = get_client_for_user(request, pk)
    if tab not in TAB_LABELS:
        raise Http404("No such tab.")
    return _chart(request, client, tab)


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
    return _chart(request, client, OVERVIEW, **{kind: form})


# What ending an item of each kind does, in the words of its button and message.
END_DONE = {
    "diagnosis": "marked as resolved",
    "medication": "marked as stopped",
    "allergy": "removed",
}


@require_POST
@role_required(*CLIENT_ROLES)
def item_end(request: AuthedRequest, pk: int, kind: str, item_id: int) -> HttpResponse:
    """Resolve a diagnosis, stop a medication, remove an allergy: only with the
    confirm form's explicit `confirm=yes` (templates/includes/confirm.html)."""
    client = get_client_for_user(request, pk)
    _, model, _ = ITEMS[kind]
    # get_object_or_404's stub loses the union of model classes and answers Model.
    item: services.RecordItem = get_object_or_404(model, pk=item_id, client=client)  # type: ignore[assignment]
    if request.POST.get("confirm") != "yes":
        messages.error(
            request, "Nothing was changed: confirm with the button that says what it does."
        )
        return redirect(client)
    services.record_item_end(actor=actor_from(request), item=item)
    messages.success(
        request, f"The {model._meta.verbose_name} was {END_DONE[kind]}; the history is kept."
    )
    return redirect(client)
