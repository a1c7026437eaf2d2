"""The dosing session record (KAP and KA-EMDR), one page with a POST per action.

Reading and changing a record is for CLINICAL_ROLES (the client's therapist, or
the practice admin): in-session clinical detail is not the intake desk's to read.
Each action re-renders the page with field errors (what was typed kept) or, on
success, redirects back; the vitals form also works through htmx, which swaps the
record in place so that an out-of-range value is flagged at once.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.access import CLINICAL_ROLES, AuthedRequest, role_required
from audit.services import log_action
from dosing import notes, rules, services
from dosing.access import get_record_for_user
from dosing.forms import (
    AddendumForm,
    AdministrationForm,
    AdverseEventForm,
    DischargeForm,
    NoteForm,
    PredoseForm,
    PrescriberContactForm,
    RiskCheckForm,
    VitalsForm,
)
from dosing.models import Administration, DosingRecord
from dosing.queries import fresh, record_context
from treatment import services as treatment_services
from treatment.access import get_session_for_user

RECORD_TEMPLATE = "dosing/record.html"


def _render(request: AuthedRequest, record: DosingRecord, **forms: Any) -> HttpResponse:
    log_action(request, "dosing.record.view", record, client=record.session.course.client)
    return render(request, RECORD_TEMPLATE, record_context(request, record, **forms))


def _done(
    request: AuthedRequest,
    record: DosingRecord,
    success: str = "",
    error: services.DosingError | None = None,
    warnings: list[str] | None = None,
) -> HttpResponse:
    """After an action: htmx gets the page (it swaps the record in), others a redirect."""
    notices: list[tuple[str, str]] = []
    if error is not None:
        notices += [("error", reason) for reason in error.reasons]
    if success:
        notices.append(("success", success))
    notices += [("error", text) for text in warnings or []]
    if request.htmx:  # type: ignore[attr-defined]
        return _render(request, record, notices=notices)
    for level, text in notices:
        if level == "error":
            messages.error(request, text)
        else:
            messages.success(request, text)
    return redirect(record)


@require_POST
@role_required(*CLINICAL_ROLES)
def record_open(request: AuthedRequest, session_id: int) -> HttpResponse:
    """ "Start the dosing session": the gate, then the record (treatment's page posts here)."""
    session = get_session_for_user(request, session_id)
    back = reverse("treatment:session", args=[session.pk])
    try:
        record, checks = services.record_open(request, session.pk)
    except treatment_services.SessionError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    if record is None:
        failing = "; ".join(f"{c.label} ({c.detail})" for c in checks if not c.ok)
        messages.error(request, f"The dosing session cannot start: {failing}.")
        return redirect(back)
    messages.success(request, "The dosing session has started: its record is open.")
    return redirect(record)


@require_GET
@role_required(*CLINICAL_ROLES)
def record_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    return _render(request, record)


@require_POST
@role_required(*CLINICAL_ROLES)
def predose(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    form = PredoseForm(
        request.POST, instance=fresh(record), rx=rules.rx_in_force(record), prefix="predose"
    )
    if not form.is_valid():
        return _render(request, record, predose_form=form)
    try:
        services.predose_save(request, record, form.cleaned_data)
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    return _done(request, record, "Pre-dose checks saved.")


@require_POST
@role_required(*CLINICAL_ROLES)
def vitals(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    form = VitalsForm(request.POST, prefix="vitals", phases=services.allowed_phases(record))
    if not form.is_valid():
        return _render(request, record, vitals_form=form)
    try:
        _, flags = services.vitals_add(request, record, form.cleaned_data)
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    if flags:
        return _done(
            request, record, "Vitals recorded.", warnings=["Out of range: " + " ".join(flags)]
        )
    return _done(request, record, "Vitals recorded, within the prescriber's parameters.")


@require_POST
@role_required(*CLINICAL_ROLES)
def risk_check(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    form = RiskCheckForm(request.POST, prefix="risk")
    if not form.is_valid():
        return _render(request, record, risk_form=form)
    data = form.cleaned_data
    try:
        services.risk_check_save(
            request, record, method=data["method"], outcome=data["outcome"], note=data["note"]
        )
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    return _done(request, record, "Today's suicide-risk check recorded.")


@require_POST
@role_required(*CLINICAL_ROLES)
def contact(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    form = PrescriberContactForm(request.POST, prefix="contact")
    if not form.is_valid():
        return _render(request, record, contact_form=form)
    try:
        made = services.prescriber_contact_add(request, record, form.cleaned_data)
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    if made.proceed:
        return _done(request, record, "Prescriber contact recorded: dosing approved.")
    return _done(request, record, "Prescriber contact recorded: dosing not approved.")


def _administer(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    record = get_record_for_user(request, pk)
    rx = rules.rx_in_force(record)
    if kind == Administration.Kind.BOOSTER:
        if rx.booster_mg is None:
            return _done(
                request,
                record,
                error=services.DosingError("The prescription does not authorise a booster."),
            )
        form = AdministrationForm(
            request.POST, prefix="booster", limit=rx.booster_mg, label="Booster"
        )
        form_name = "booster_form"
    else:
        form = AdministrationForm(request.POST, prefix="dose", limit=rx.dose_mg)
        form_name = "dose_form"
    if not form.is_valid():
        return _render(request, record, **{form_name: form})
    data = form.cleaned_data
    try:
        services.administer(
            request,
            record,
            kind,
            data["dose_mg"],
            data["given_at"],
            data["given_by"],
            data["witnessed_by"],
            self_administered=bool(data.get("self_administered")),
        )
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    label = "Booster" if kind == Administration.Kind.BOOSTER else "Dose"
    return _done(
        request, record, f"{label} recorded: {data['dose_mg']} mg (prescription v{rx.version})."
    )


@require_POST
@role_required(*CLINICAL_ROLES)
def dose(request: AuthedRequest, pk: int) -> HttpResponse:
    return _administer(request, pk, Administration.Kind.DOSE)


@require_POST
@role_required(*CLINICAL_ROLES)
def booster(request: AuthedRequest, pk: int) -> HttpResponse:
    return _administer(request, pk, Administration.Kind.BOOSTER)


@require_POST
@role_required(*CLINICAL_ROLES)
def adverse_event(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    form = AdverseEventForm(request.POST, prefix="ae")
    if not form.is_valid():
        return _render(request, record, event_form=form)
    try:
        event = services.adverse_event_add(request, record, form.cleaned_data)
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    if event.notifies_prescriber:
        return _done(request, record, "Adverse event recorded; the prescriber has been notified.")
    return _done(request, record, "Adverse event recorded.")


@require_POST
@role_required(*CLINICAL_ROLES)
def discharge(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    form = DischargeForm(request.POST, prefix="discharge")
    if not form.is_valid():
        return _render(request, record, discharge_form=form)
    try:
        services.discharge(request, record, form.cleaned_data)
    except services.DosingError as exc:
        form.add_error(None, " ".join(exc.reasons))
        return _render(request, record, discharge_form=form)
    return _done(request, record, "Discharged. The session is completed.")


@require_POST
@role_required(*CLINICAL_ROLES)
def note(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    form = NoteForm(request.POST, prefix="note")
    if not form.is_valid():
        return _render(request, record, note_form=form)
    try:
        notes.note_save(request, record, form.cleaned_data)
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    return _done(request, record, "Note saved (not signed).")


@require_POST
@role_required(*CLINICAL_ROLES)
def note_sign(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    try:
        notes.note_sign(request, record)
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    return _done(request, record, "Note signed and locked.")


@require_POST
@role_required(*CLINICAL_ROLES)
def addendum(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    form = AddendumForm(request.POST, prefix="addendum")
    if not form.is_valid():
        return _render(request, record, addendum_form=form)
    try:
        notes.addendum_add(request, record, form.cleaned_data["text"])
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    return _done(request, record, "Addendum added.")
