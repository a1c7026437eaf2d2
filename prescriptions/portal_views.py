"""The partner portal's prescription pages: prescribers write, revise and discontinue."""

from __future__ import annotations

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import PARTNER_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from audit.services import log_action
from partners.access import get_referral_for_prescriber
from prescriptions import services
from prescriptions.access import get_prescription_for_prescriber
from prescriptions.forms import DiscontinueForm, PrescriptionForm, suggested_initial
from prescriptions.models import Prescription, RxStatus
from prescriptions.queries import EDITABLE_FIELDS, current_version, refusal_for
from prescriptions.views import audit_view, rx_context


def _show_refusal(form: PrescriptionForm, exc: services.PrescriptionError) -> None:
    """The service's refusal: beside each field it names, else above the form."""
    for name, message in exc.errors.items():
        form.add_error(name if name in form.fields else None, message)
    if not exc.errors:
        form.add_error(None, str(exc))


@require_http_methods(["GET", "POST"])
@role_required(*PARTNER_ROLES)
def new(request: AuthedRequest, referral_id: int) -> HttpResponse:
    referral = get_referral_for_prescriber(request, referral_id)
    actor = actor_from(request)
    refusal = refusal_for(referral)
    form = None
    if not refusal:
        blank = Prescription(client=referral.client, referral=referral, prescriber=request.user)
        form = PrescriptionForm(
            request.POST if request.method == "POST" else None,
            initial=suggested_initial(),
            instance=blank,
        )
        if form.is_bound and form.is_valid():
            try:
                rx = services.prescription_write(
                    actor=actor, referral=referral, terms=form.terms()
                )
            except services.PrescriptionError as exc:
                # The rules changed while the form was open (say, another chain began).
                _show_refusal(form, exc)
            else:
                messages.success(request, "Prescription written (version 1).")
                return redirect("portal_rx:detail", rx.pk)
    # The page names the client: reading it is audited like any other read.
    log_action(
        actor,
        "prescription.form",
        referral,
        client=referral.client,
        detail={"referral": referral.pk, "refused": bool(refusal)},
    )
    context = {"referral": referral, "form": form, "refusal": refusal}
    return render(request, "prescriptions/portal_form.html", context)


@require_GET
@role_required(*PARTNER_ROLES)
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    rx = get_prescription_for_prescriber(request, pk)
    audit_view(actor_from(request), rx)
    context = rx_context(rx, discontinue_form=DiscontinueForm())
    return render(request, "prescriptions/portal_detail.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*PARTNER_ROLES)
def revise(request: AuthedRequest, pk: int) -> HttpResponse:
    rx = get_prescription_for_prescriber(request, pk)
    actor = actor_from(request)
    if rx.status != RxStatus.ACTIVE:
        messages.error(request, "Only the active version of a prescription can be revised.")
        return redirect("portal_rx:detail", current_version(rx).pk)
    blank = Prescription(client=rx.client, referral=rx.referral, prescriber=request.user)
    form = PrescriptionForm(
        request.POST if request.method == "POST" else None,
        initial=model_to_dict(rx, fields=EDITABLE_FIELDS),
        instance=blank,
        sessions_used=rx.sessions_used(),
    )
    if form.is_bound and form.is_valid():
        try:
            new_rx = services.prescription_revise(actor=actor, prescription=rx, terms=form.terms())
        except services.PrescriptionError as exc:
            _show_refusal(form, exc)
        else:
            messages.success(request, f"Prescription revised: version {new_rx.version} is active.")
            return redirect("portal_rx:detail", new_rx.pk)
    audit_view(actor, rx)
    context = {"referral": rx.referral, "form": form, "rx": rx, "refusal": ""}
    return render(request, "prescriptions/portal_form.html", context)


@require_POST
@role_required(*PARTNER_ROLES)
def discontinue(request: AuthedRequest, pk: int) -> HttpResponse:
    rx = get_prescription_for_prescriber(request, pk)
    form = DiscontinueForm(request.POST)
    actor = actor_from(request)
    if form.is_valid():
        try:
            stopped = services.prescription_discontinue(
                actor=actor, prescription=rx, reason=form.cleaned_data["reason"]
            )
        except services.PrescriptionError as exc:
            messages.error(request, str(exc))
            return redirect("portal_rx:detail", rx.pk)
        messages.success(request, "Prescription discontinued. The practice sees this now.")
        return redirect("portal_rx:detail", stopped.pk)
    # No GET page for this action: show the prescription again with the error.
    audit_view(actor, rx)
    context = rx_context(rx, discontinue_form=form)
    return render(request, "prescriptions/portal_detail.html", context)
