"""The EMDR record of a session: phases, assessment, desensitisation sets, closing,
and the session timeline. Reading is for CLIENT_ROLES; every change is for
CLINICAL_ROLES, and goes through `bls.services` (atomic and audited)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import CLINICAL_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from audit.services import log_action
from bls import dose_window, pairing, queries, services, timeline, timing
from bls.access import get_appointment_for_user, get_record_for_user
from bls.forms import AssessmentForm, ClosingForm, PhaseForm, PlannedEndForm, SetForm
from bls.models import EmdrRecord, Phase, PhaseMark
from bls.set_rows import set_rows
from common.forms import values_of
from common.pictures import svg_response
from treatment.access import get_session_for_user


def _anchor(record: EmdrRecord, section: str) -> HttpResponse:
    return redirect(f"{record.get_absolute_url()}#{section}")


def _is_htmx(request: AuthedRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _phases(marks: list[PhaseMark], dose: timing.DoseTiming | None) -> list[dict[str, Any]]:
    """The phase strip: each phase with its marks; the current one; and the dose, on
    the phase the session was in when it was given."""
    current = max(marks, key=lambda m: (m.at, m.id)) if marks else None
    dose_phase = dose.phase.phase if dose is not None and dose.phase is not None else None
    return [
        {
            "value": int(phase),
            "label": phase.label,
            "marks": [m for m in marks if m.phase == phase],
            "current": current is not None and current.phase == phase,
            "dose": dose if dose_phase == phase else None,
        }
        for phase in Phase
    ]


def _timeline_context(record: EmdrRecord) -> dict[str, Any]:
    data = timeline.timeline_data(record)
    rows = timeline.timeline_rows(data)
    # Changes when the data does, so a refreshed page (or an htmx swap) reloads
    # the picture. The URL carries a hash of numbers, never PHI.
    seen = repr([(r.at.isoformat(), r.event, r.sud, r.voc, r.vitals) for r in rows])
    version = hashlib.sha256(seen.encode()).hexdigest()[:12]
    return {
        "rows": rows,
        "table_rows": timeline.table_rows(rows),
        "chart_version": version,
        "chart_empty": data.empty,
    }


def _context(request: AuthedRequest, record: EmdrRecord, **forms: Any) -> dict[str, Any]:
    admins = queries.administrations(record)
    marks = queries.phase_marks(record)
    sets = queries.sets(record)
    dose = queries.first_dose(admins)
    dose_timing = timing.dose_timing(dose_at=dose.given_at if dose else None, marks=marks)
    context: dict[str, Any] = {
        "record": record,
        "client": record.client,
        "session": record.session,
        "appointment": record.appointment,
        "phases": _phases(marks, dose_timing),
        "current": queries.current_phase(record),
        "administrations": admins,
        "dose_timing": dose_timing,
        "peak_position": dose_window.peak_position(
            dose_at=dose.given_at if dose else None,
            route=dose.route if dose else "",
            marks=marks,
            planned_end=record.planned_reprocessing_end,
        ),
        "planned_peak": _planned_peak(record) if dose is None else None,
        "planned_end_form": forms.get("planned_end_form")
        or PlannedEndForm(initial={"planned_reprocessing_end": _local(record)}),
        "sets": sets,
        "set_rows": set_rows(sets),
        "can_edit": request.user.role in CLINICAL_ROLES,
        "assessment_form": forms.get("assessment_form") or AssessmentForm(instance=record),
        "closing_form": forms.get("closing_form") or ClosingForm(instance=record),
        "set_form": forms.get("set_form") or SetForm(),
        # The BLS display's control panel (bls.control_views), for the record's therapist.
        "can_control": pairing.may_control(request.user, record),
        "pairing": queries.active_pairing(record, request.user),
        **_timeline_context(record),
    }
    for a in admins:
        mark = timing.phase_at(marks, a.given_at)
        when = "before any phase was marked"
        if mark is not None:
            when = f"during phase {mark.get_phase_display()}"
        a.when = when  # type: ignore[attr-defined]
    return context


def _local(record: EmdrRecord) -> dt.datetime | None:
    end = record.planned_reprocessing_end
    return timezone.localtime(end) if end is not None else None


def _planned_peak(record: EmdrRecord) -> dose_window.PlannedPeak | None:
    """Before the dose of a KA-EMDR session: where a dose given now by the prescribed
    route would peak against the planned end of reprocessing."""
    session = record.session
    prescription = session.prescription if session is not None else None
    if prescription is None:
        return None
    return dose_window.planned_peak(
        now=timezone.now(), route=prescription.route, planned_end=record.planned_reprocessing_end
    )


def _page(request: AuthedRequest, record: EmdrRecord, **forms: Any) -> HttpResponse:
    log_action(actor_from(request), "emdr.view", record, client=record.client)
    return render(request, "bls/record.html", _context(request, record, **forms))


# The record's page, for the views of its parts kept in their own modules.
render_record = _page


# --- Opening a record ---------------------------------------------------------


@require_POST
@role_required(*CLINICAL_ROLES)
def record_new(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    try:
        record = services.record_create_for_session(actor=actor_from(request), session=session)
    except services.EmdrError as exc:
        messages.error(request, str(exc))
        return redirect(session)
    return redirect(record)


@require_POST
@role_required(*CLINICAL_ROLES)
def record_new_for_appointment(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    appointment = get_appointment_for_user(request, appointment_id)
    try:
        record = services.record_create_for_appointment(
            actor=actor_from(request), appointment=appointment
        )
    except services.EmdrError as exc:
        messages.error(request, str(exc))
        return redirect(appointment.client)
    return redirect(record)


# --- The record ---------------------------------------------------------------


@require_GET
# Reading is for clinicians too: the record holds the target memory and cognitions,
# which the intake team does not need (minimum necessary).
@role_required(*CLINICAL_ROLES)
def record_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _page(request, get_record_for_user(request, pk))


@require_POST
@role_required(*CLINICAL_ROLES)
def phase(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    form = PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the 8 phases.")
        return _anchor(record, "phases")
    number = form.cleaned_data["phase"]
    try:
        services.phase_mark(actor=actor_from(request), record=record, phase=number)
    except services.EmdrError as exc:
        messages.error(request, str(exc))
        return _anchor(record, "phases")
    messages.success(request, f"Phase {Phase(number).label} marked.")
    return _anchor(record, "phases")


@require_POST
@role_required(*CLINICAL_ROLES)
def assessment(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    form = AssessmentForm(request.POST, instance=EmdrRecord.objects.get(pk=record.pk))
    if not form.is_valid():
        return _page(request, record, assessment_form=form)
    try:
        data = form.cleaned_data
        assessment = values_of(services.Assessment, data)
        services.assessment_save(actor=actor_from(request), record=record, assessment=assessment)
    except services.EmdrError as exc:
        form.refused(exc)
        return _page(request, record, assessment_form=form)
    messages.success(request, "Assessment saved.")
    return _anchor(record, "assessment")


@require_POST
@role_required(*CLINICAL_ROLES)
def closing(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    form = ClosingForm(request.POST, instance=EmdrRecord.objects.get(pk=record.pk))
    if not form.is_valid():
        return _page(request, record, closing_form=form)
    try:
        data = form.cleaned_data
        closing = values_of(services.Closing, data)
        services.closing_save(actor=actor_from(request), record=record, closing=closing)
    except services.EmdrError as exc:
        form.refused(exc)
        return _page(request, record, closing_form=form)
    messages.success(request, "Closing saved.")
    return _anchor(record, "closing")


@require_POST
@role_required(*CLINICAL_ROLES)
def set_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """Log a set. With htmx the set log (and the timeline, out of band) is swapped in
    place; without JavaScript the page reloads at the set log."""
    record = get_record_for_user(request, pk)
    form = SetForm(request.POST)
    added = None
    if form.is_valid():
        try:
            data = form.cleaned_data
            entry = values_of(services.SetEntry, data)
            added = services.set_add(actor=actor_from(request), record=record, entry=entry)
            form = SetForm()
        except services.EmdrError as exc:
            form.refused(exc)
    if not _is_htmx(request):
        if added is None:
            return _page(request, record, set_form=form)
        messages.success(request, f"Set {added.number} logged.")
        return _anchor(record, "sets")
    if added is None:
        log_action(actor_from(request), "emdr.view", record, client=record.client)
    context = _context(request, record, set_form=form)
    context.update(added=added, oob=True)
    html = render_to_string("bls/_sets.html", context, request=request)
    html += render_to_string("bls/_timeline.html", context, request=request)
    return HttpResponse(html)


@require_GET
@role_required(*CLINICAL_ROLES)
def timeline_svg(request: AuthedRequest, pk: int) -> HttpResponse:
    # Imported here: matplotlib (about 40 MB of a worker's memory) loads on the first picture
    # a worker draws, not with the URL conf.
    from bls import charts

    record = get_record_for_user(request, pk)
    svg = charts.session_timeline_svg(record)
    log_action(actor_from(request), "emdr.timeline_view", record, client=record.client)
    return svg_response(svg)
