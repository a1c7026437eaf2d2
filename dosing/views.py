"""The dosing session record (KAP and KA-EMDR), one page with a POST per action.

Reading and changing a record is for CLINICAL_ROLES (the client's therapist, or
the practice admin): in-session clinical detail is not the intake desk's to read.
Each action re-renders the page with field errors (what was typed kept) or, on
success, redirects back; the vitals form also works through htmx, which swaps the
record in place so that an out-of-range value is flagged at once.

The page is a console (issue 11 §3, dosing.console): a sticky bar and five steps.
A time left empty is the moment of the submit (dosing.forms.NowIfEmptyField); a time
the service refuses (before the dose, in the future) is shown beside its field.
Signing the note asks for a confirm (templates/includes/confirm.html): a sign
without `confirm=yes` is refused.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.access import CLINICAL_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from audit.services import log_action
from common.forms import values_of
from common.pictures import svg_response
from dosing import rules, services
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
from dosing.summary import session_chart_svg
from treatment import services as treatment_services
from treatment.access import get_session_for_user

RECORD_TEMPLATE = "dosing/record.html"
SIGN_UNCONFIRMED = services.DosingError(
    "Not signed: confirm that you want to sign and lock the note (it cannot be undone)."
)

# What the picture says when no chart could be drawn (the failure is logged): no data.
UNAVAILABLE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="720" height="60" viewBox="0 0 720 60">'
    "<title>Session timeline: the chart could not be drawn. The vital-signs table gives"
    " the same data.</title>"
    '<text x="360" y="35" text-anchor="middle" font-size="16">Chart not available</text></svg>'
)


def _render(request: AuthedRequest, record: DosingRecord, **forms: Any) -> HttpResponse:
    log_action(
        actor_from(request), "dosing.record.view", record, client=record.session.course.client
    )
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


def _time_refused(
    request: AuthedRequest,
    record: DosingRecord,
    exc: services.DosingError,
    form: Any,
    form_name: str,
    field: str,
) -> HttpResponse:
    """A refusal: its reasons about the time beside the time field (the page again,
    with what was typed), the others as notices; without any, as `_done`."""
    if not exc.time_reasons:
        return _done(request, record, error=exc)
    for reason in exc.time_reasons:
        form.add_error(field, reason)
    others = [("error", reason) for reason in exc.reasons if reason not in exc.time_reasons]
    return _render(request, record, notices=others, **{form_name: form})


@require_POST
@role_required(*CLINICAL_ROLES)
def record_open(request: AuthedRequest, session_id: int) -> HttpResponse:
    """ "Start the dosing session": the gate, then the record (treatment's page posts here)."""
    session = get_session_for_user(request, session_id)
    back = reverse("treatment:session", args=[session.pk])
    try:
        record, checks = services.record_open(actor=actor_from(request), session=session)
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


@require_GET
@role_required(*CLINICAL_ROLES)
def timeline_svg(request: AuthedRequest, pk: int) -> HttpResponse:
    """The record's session timeline picture, on its own URL (an <img> on the page):
    drawn once per version of its data (common.pictures), audited as the other
    pictures are, never stored by the browser."""
    record = get_record_for_user(request, pk)
    svg = session_chart_svg(record) or UNAVAILABLE_SVG
    log_action(
        actor_from(request),
        "dosing.timeline_view",
        record,
        client=record.session.course.client,
    )
    return svg_response(svg)


@require_POST
@role_required(*CLINICAL_ROLES)
def predose(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    form = PredoseForm(
        request.POST, instance=fresh(record), rx=rules.rx_in_force(record), prefix="predose"
    )
    if not form.is_valid():
        return _render(request, record, predose_form=form)
    data = form.cleaned_data
    checks = values_of(services.PredoseChecks, data)
    try:
        services.predose_save(actor=actor_from(request), record=record, checks=checks)
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
    data = form.cleaned_data
    reading = services.VitalsReading(
        phase=data["phase"],
        taken_at=data["taken_at"],
        systolic=data["systolic"],
        diastolic=data["diastolic"],
        heart_rate=data["heart_rate"],
        spo2=data["spo2"],
        sedation=data["sedation"],
        dissociation=data["dissociation"],
        notes=data["notes"],
    )
    try:
        _, flags = services.vitals_add(actor=actor_from(request), record=record, reading=reading)
    except services.DosingError as exc:
        return _time_refused(request, record, exc, form, "vitals_form", "taken_at")
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
            actor=actor_from(request),
            record=record,
            method=data["method"],
            outcome=data["outcome"],
            note=data["note"],
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
    data = form.cleaned_data
    try:
        made = services.prescriber_contact_add(
            actor=actor_from(request),
            record=record,
            topic=data["topic"],
            contacted_at=data["contacted_at"],
            prescriber_name=data["prescriber_name"],
            instruction=data["instruction"],
            proceed=data["proceed"],
        )
    except services.DosingError as exc:
        return _time_refused(request, record, exc, form, "contact_form", "contacted_at")
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
        services.administration_add(
            actor=actor_from(request),
            record=record,
            kind=kind,
            dose_mg=data["dose_mg"],
            given_at=data["given_at"],
            given_by=data["given_by"],
            witnessed_by=data["witnessed_by"],
            self_administered=bool(data.get("self_administered")),
        )
    except services.DosingError as exc:
        return _time_refused(request, record, exc, form, form_name, "given_at")
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
    data = form.cleaned_data
    report = values_of(services.AdverseEventReport, data)
    try:
        event = services.adverse_event_add(actor=actor_from(request), record=record, report=report)
    except services.DosingError as exc:
        return _time_refused(request, record, exc, form, "event_form", "occurred_at")
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
    data = form.cleaned_data
    ticks = values_of(services.DischargeTicks, data)
    try:
        services.record_discharge(
            actor=actor_from(request),
            record=record,
            ticks=ticks,
            discharged_at=data["discharged_at"],
            exception_reason=data["exception_reason"],
        )
    except services.DosingError as exc:
        for reason in exc.time_reasons:
            form.add_error("discharged_at", reason)
        others = [reason for reason in exc.reasons if reason not in exc.time_reasons]
        if others:
            form.add_error(None, " ".join(others))
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
        services.note_save(
            actor=actor_from(request),
            record=record,
            data=form.cleaned_data["data"],
            assessment=form.cleaned_data["assessment"],
            plan=form.cleaned_data["plan"],
        )
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    return _done(request, record, "Note saved (not signed).")


@require_POST
@role_required(*CLINICAL_ROLES)
def note_sign(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    if request.POST.get("confirm") != "yes":
        # The confirm form (templates/includes/confirm.html) is the only way in.
        return _done(request, record, error=SIGN_UNCONFIRMED)
    try:
        services.note_sign(actor=actor_from(request), record=record)
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
        services.addendum_add(
            actor=actor_from(request), record=record, text=form.cleaned_data["text"]
        )
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    return _done(request, record, "Addendum added.")
