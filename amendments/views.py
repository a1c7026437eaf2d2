"""Amendment requests: record one from the client page, then decide, extend and
append on the request's page, which shows the whole history."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import CLIENT_ROLES, CLINICAL_ROLES, AuthedRequest, role_required
from accounts.actor import Actor, actor_from
from amendments import services
from amendments.access import get_amendment_for_user
from amendments.forms import (
    AcceptForm,
    DenyForm,
    DisagreementForm,
    ExtendForm,
    RebuttalForm,
    ReceiveForm,
)
from amendments.models import AmendmentRequest, AmendmentStatus
from amendments.queries import suggested_link
from audit.services import log_action
from clients.access import get_client_for_user


def _field_error(form: forms.BaseForm, exc: services.AmendmentError) -> None:
    """A service's refusal, beside its field when the form has one."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@require_http_methods(["GET", "POST"])
@role_required(*CLIENT_ROLES)
def amendment_new(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    form = ReceiveForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            amendment = services.amendment_receive(
                actor=actor_from(request),
                client=client,
                received_on=data["received_on"],
                concerns=data["concerns"],
                reference=data["reference"],
                requested_change=data["requested_change"],
            )
        except services.AmendmentError as exc:
            _field_error(form, exc)
        else:
            messages.success(request, "Amendment request recorded.")
            return redirect(amendment)
    return render(request, "amendments/new.html", {"form": form, "client": client})


# The context name of each form of the request's page.
FORM_KEYS: dict[type[forms.BaseForm], str] = {
    ExtendForm: "extend_form",
    AcceptForm: "accept_form",
    DenyForm: "deny_form",
    DisagreementForm: "disagreement_form",
    RebuttalForm: "rebuttal_form",
}


def _forms(
    request: AuthedRequest, amendment: AmendmentRequest, bound: forms.BaseForm | None = None
) -> dict[str, forms.BaseForm]:
    """The forms this user may use on the request as it stands, `bound` in its place."""
    clinical = request.user.role in CLINICAL_ROLES
    found: dict[str, forms.BaseForm] = {}
    if clinical and amendment.status == AmendmentStatus.RECEIVED:
        found["extend_form"] = ExtendForm()
    if clinical and amendment.is_open:
        found["accept_form"] = AcceptForm(initial={"amendment_link": suggested_link(amendment)})
        found["deny_form"] = DenyForm()
    if amendment.status == AmendmentStatus.DENIED and amendment.disagreement_at is None:
        found["disagreement_form"] = DisagreementForm()
    if clinical and amendment.disagreement_at is not None and amendment.rebuttal_at is None:
        found["rebuttal_form"] = RebuttalForm()
    if bound is not None:
        key = FORM_KEYS[type(bound)]
        found[key] = bound
    return found


def _page(
    request: AuthedRequest,
    actor: Actor,
    amendment: AmendmentRequest,
    bound: forms.BaseForm | None = None,
) -> HttpResponse:
    log_action(actor, "amendment.view", amendment, client=amendment.client)
    context = {
        "amendment": amendment,
        "client": amendment.client,
        "overdue": amendment.is_overdue(timezone.localdate()),
        **_forms(request, amendment, bound),
    }
    return render(request, "amendments/detail.html", context)


@require_GET
@role_required(*CLIENT_ROLES)
def amendment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    amendment = get_amendment_for_user(request, pk)
    return _page(request, actor_from(request), amendment)


Write = Callable[[Actor, AmendmentRequest, dict[str, str]], AmendmentRequest]


def _act(
    request: AuthedRequest, pk: int, form_class: type[forms.Form], write: Write, done: str
) -> HttpResponse:
    """Parse the form, call the service, and come back to the request's page: with a
    message when it worked, with the error beside its field (and what was typed) when
    it did not."""
    amendment = get_amendment_for_user(request, pk)
    actor = actor_from(request)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            write(actor, amendment, form.cleaned_data)
        except services.AmendmentError as exc:
            _field_error(form, exc)
            amendment.refresh_from_db()
        else:
            messages.success(request, done)
            return redirect(amendment)
    return _page(request, actor, amendment, form)


@require_POST
@role_required(*CLINICAL_ROLES)
def amendment_extend(request: AuthedRequest, pk: int) -> HttpResponse:
    def write(actor: Actor, amendment: AmendmentRequest, data: dict[str, str]) -> AmendmentRequest:
        return services.amendment_extend(
            actor=actor, request=amendment, reason=data["extension_reason"]
        )

    return _act(request, pk, ExtendForm, write, "Extended by 30 days.")


@require_POST
@role_required(*CLINICAL_ROLES)
def amendment_accept(request: AuthedRequest, pk: int) -> HttpResponse:
    def write(actor: Actor, amendment: AmendmentRequest, data: dict[str, str]) -> AmendmentRequest:
        return services.amendment_accept(
            actor=actor,
            request=amendment,
            change_note=data["change_note"],
            link=data["amendment_link"],
        )

    return _act(request, pk, AcceptForm, write, "Request accepted.")


@require_POST
@role_required(*CLINICAL_ROLES)
def amendment_deny(request: AuthedRequest, pk: int) -> HttpResponse:
    def write(actor: Actor, amendment: AmendmentRequest, data: dict[str, str]) -> AmendmentRequest:
        return services.amendment_deny(
            actor=actor, request=amendment, basis=data["denial_basis"], note=data["denial_note"]
        )

    return _act(request, pk, DenyForm, write, "Request denied.")


@require_POST
@role_required(*CLIENT_ROLES)
def amendment_disagreement(request: AuthedRequest, pk: int) -> HttpResponse:
    def write(actor: Actor, amendment: AmendmentRequest, data: dict[str, str]) -> AmendmentRequest:
        return services.amendment_add_disagreement(
            actor=actor, request=amendment, statement=data["disagreement"]
        )

    return _act(request, pk, DisagreementForm, write, "Statement of disagreement appended.")


@require_POST
@role_required(*CLINICAL_ROLES)
def amendment_rebuttal(request: AuthedRequest, pk: int) -> HttpResponse:
    def write(actor: Actor, amendment: AmendmentRequest, data: dict[str, str]) -> AmendmentRequest:
        return services.amendment_add_rebuttal(
            actor=actor, request=amendment, rebuttal=data["rebuttal"]
        )

    return _act(request, pk, RebuttalForm, write, "Rebuttal appended.")
