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
from dosing import services
from dosing.access import get_record_for_user
from dosing.forms import (
    RESCUE_MEDICATIONS,
    AddendumForm,
    AdministrationForm,
    AdverseEventForm,
    DischargeForm,
    NoteForm,
    PredoseForm,
    PrescriberContactForm,
    VitalsForm,
)
from dosing.models import Administration, Discharge, DosingRecord, SessionNote
from dosing.summary import administrations, timeline_chart, vitals_rows
from dosing.vitals import out_of_range, suggested_next
from treatment import services as treatment_services
from treatment.access import get_session_for_user

RECORD_TEMPLATE = "dosing/record.html"


def _record_context(request: AuthedRequest, record: DosingRecord, **forms: Any) -> dict[str, Any]:
    rx = record.prescription
    session = record.session
    given = administrations(record)
    dose = next((a for a in given if a.kind == Administration.Kind.DOSE), None)
    booster = next((a for a in given if a.kind == Administration.Kind.BOOSTER), None)
    discharged = Discharge.objects.filter(record=record).select_related("discharged_by").first()
    rows = vitals_rows(record)
    latest = services.latest_predose(record)
    latest_flags = out_of_range(latest, rx) if latest else []
    ok, reasons = services.dosing_clearance(record)
    note = (
        SessionNote.objects.filter(session=session).select_related("author", "signed_by").first()
    )
    phases = services.allowed_phases(record)
    suggestion = suggested_next(
        [row.vitals.taken_at for row in rows],
        dose.given_at if dose else None,
        discharged is not None,
    )
    open_record = discharged is None
    vitals_ok, vitals_text = services.discharge_vitals_check(record)
    context: dict[str, Any] = {
        "record": record,
        "session": session,
        "client": session.course.client,
        "rx": rx,
        "predose_missing": services.predose_missing(record),
        "predose_editable": dose is None and open_record,
        "predose_form": forms.get("predose_form")
        or PredoseForm(instance=_fresh(record), rx=rx, prefix="predose"),
        "rows": rows,
        "suggestion": suggestion,
        "vitals_form": forms.get("vitals_form")
        or (VitalsForm(prefix="vitals", phases=phases) if phases else None),
        "cleared": ok,
        "clearance_reasons": reasons,
        "contacts": record.prescriber_contacts.select_related("recorded_by"),
        "show_contact": dose is None and open_record and bool(latest_flags),
        "contact_form": forms.get("contact_form")
        or PrescriberContactForm(
            prefix="contact", initial={"prescriber_name": rx.prescriber.display_name}
        ),
        "dose": dose,
        "booster": booster,
        "dose_form": forms.get("dose_form")
        or AdministrationForm(
            prefix="dose", limit=rx.dose_mg, initial={"given_by": request.user.pk}
        ),
        "show_dose_form": dose is None and open_record,
        "booster_authorised": rx.booster_mg is not None,
        "show_booster_form": rx.booster_mg is not None
        and dose is not None
        and booster is None
        and open_record,
        "booster_form": forms.get("booster_form")
        or (
            AdministrationForm(
                prefix="booster",
                limit=rx.booster_mg,
                label="Booster",
                initial={"given_by": request.user.pk},
            )
            if rx.booster_mg is not None
            else None
        ),
        "events": record.adverse_events.select_related("recorded_by"),
        "event_form": forms.get("event_form") or AdverseEventForm(prefix="ae"),
        "rescue_medications": RESCUE_MEDICATIONS,
        "discharge": discharged,
        "discharge_form": forms.get("discharge_form")
        or DischargeForm(prefix="discharge", initial={"escort_present": False}),
        "discharge_vitals_ok": vitals_ok,
        "discharge_vitals_text": vitals_text,
        "note": note,
        "note_form": forms.get("note_form")
        or NoteForm(
            prefix="note",
            initial={
                "data": note.data if note else "",
                "assessment": note.assessment if note else "",
                "plan": note.plan if note else "",
            },
        ),
        "addenda": note.addenda.select_related("author") if note else [],
        "addendum_form": forms.get("addendum_form") or AddendumForm(prefix="addendum"),
        "chart": timeline_chart(record),
        "notices": forms.get("notices", []),
    }
    return context


def _fresh(record: DosingRecord) -> DosingRecord:
    """A copy for a ModelForm to write into, so that the page shows what is stored."""
    return DosingRecord.objects.get(pk=record.pk)


def _render(request: AuthedRequest, record: DosingRecord, **forms: Any) -> HttpResponse:
    log_action(request, "dosing.record.view", record, client=record.session.course.client)
    return render(request, RECORD_TEMPLATE, _record_context(request, record, **forms))


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
        request.POST, instance=_fresh(record), rx=record.prescription, prefix="predose"
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
    rx = record.prescription
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
        )
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    label = "Booster" if kind == Administration.Kind.BOOSTER else "Dose"
    return _done(request, record, f"{label} recorded: {data['dose_mg']} mg.")


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
    if event.severity == event.Severity.SERIOUS:
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
        services.note_save(request, record, form.cleaned_data)
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    return _done(request, record, "Note saved (not signed).")


@require_POST
@role_required(*CLINICAL_ROLES)
def note_sign(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    try:
        services.note_sign(request, record)
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
        services.addendum_add(request, record, form.cleaned_data["text"])
    except services.DosingError as exc:
        return _done(request, record, error=exc)
    return _done(request, record, "Addendum added.")
