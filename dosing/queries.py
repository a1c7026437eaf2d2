"""Reads for the dosing record page: everything it shows, as of now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.access import AuthedRequest
from common.plugins import plugins
from common.prepared import Prepared, first_query, with_parent
from dosing import console, rules
from dosing.effect_window import window_for
from dosing.forms import (
    RESCUE_MEDICATIONS,
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
from dosing.models import (
    Addendum,
    Administration,
    AdverseEvent,
    Discharge,
    DosingRecord,
    PrescriberContact,
    SessionNote,
)
from dosing.observation import allowed_phases
from dosing.summary import administrations, vitals_rows
from dosing.vitals import out_of_range, suggested_next


def record_context(request: AuthedRequest, record: DosingRecord, **forms: Any) -> dict[str, Any]:
    """The page as of now; each rule's fact of the record read once (rules.read_once)."""
    with rules.read_once(record):
        return _context(request, record, **forms)


def _context(request: AuthedRequest, record: DosingRecord, **forms: Any) -> dict[str, Any]:
    # The version in force now governs, whatever version the record opened under.
    rx = rules.rx_in_force(record)
    session = record.session
    given = administrations(record)
    dose = next((a for a in given if a.kind == Administration.Kind.DOSE), None)
    booster = next((a for a in given if a.kind == Administration.Kind.BOOSTER), None)
    found_discharge = _discharge(record=record.pk)
    discharged = found_discharge[0] if found_discharge else None
    rows = vitals_rows(record)
    latest = rules.latest_predose(record)
    latest_flags = out_of_range(latest, rx) if latest else []
    shortfalls = rules.predose_shortfalls(record, rx)
    ok, reasons = rules.dosing_clearance(record)
    open_now = discharged is None
    gate = rules.dose_gate(record) if open_now and (dose is None or booster is None) else []
    found = _note(session=session.pk)
    note = found[0] if found else None
    phases = allowed_phases(record)
    suggestion = suggested_next(
        [row.vitals.taken_at for row in rows],
        dose.given_at if dose else None,
        discharged is not None,
    )
    open_record = open_now
    vitals_ok, vitals_text = rules.discharge_vitals_check(record)
    now = timezone.now()
    observation_ok, observation_text = rules.observation_check(record, now)
    peak_ok, peak_text = rules.peak_check(record)
    contact_topic = (
        PrescriberContact.Topic.PREDOSE
        if shortfalls and not rules.predose_contact_allows(record)
        else PrescriberContact.Topic.VITALS
    )
    context: dict[str, Any] = {
        "record": record,
        "session": session,
        "client": session.course.client,
        "rx": rx,
        "predose_missing": rules.predose_missing(record),
        "predose_editable": dose is None and open_record,
        "predose_form": forms.get("predose_form")
        or PredoseForm(instance=fresh(record), rx=rx, prefix="predose"),
        "rows": rows,
        "suggestion": suggestion,
        "overdue_minutes": suggestion.overdue_minutes(now) if dose and open_record else 0,
        "shortfalls": shortfalls,
        "gate_checks": gate,
        "gate_failed": [c for c in gate if not c.ok],
        "risk_form": forms.get("risk_form") or RiskCheckForm(prefix="risk"),
        "vitals_form": forms.get("vitals_form")
        or (VitalsForm(prefix="vitals", phases=phases) if phases else None),
        "cleared": ok,
        "clearance_reasons": reasons,
        "contacts": with_parent(_contacts(record=record.pk), "record", record),
        "show_contact": dose is None and open_record and bool(latest_flags or shortfalls),
        "contact_topic": contact_topic,
        "contact_form": forms.get("contact_form")
        or PrescriberContactForm(
            prefix="contact",
            initial={"prescriber_name": rx.prescriber.display_name, "topic": contact_topic},
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
        "events": with_parent(_events(record=record.pk), "record", record),
        "event_form": forms.get("event_form") or AdverseEventForm(prefix="ae"),
        "rescue_medications": RESCUE_MEDICATIONS,
        "discharge": discharged,
        "discharge_form": forms.get("discharge_form")
        or DischargeForm(prefix="discharge", initial={"escort_present": False}),
        "discharge_vitals_ok": vitals_ok,
        "discharge_vitals_text": vitals_text,
        "discharge_checks": [
            (
                "observation",
                "Minimum observation time since the last dose",
                observation_ok,
                observation_text,
            ),
            ("peak", "BP check about 40 minutes after the dose", peak_ok, peak_text),
            (
                "vitals",
                "Latest vitals, after the last dose, within the limits",
                vitals_ok,
                vitals_text,
            ),
        ],
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
        "addenda": addenda_of(note) if note else [],
        "addendum_form": forms.get("addendum_form") or AddendumForm(prefix="addendum"),
        "chart": chart_url(record, now),
        "notices": forms.get("notices", []),
    }
    # The console (issue 11 §3): the sticky bar and the steps, from the state above.
    context["bar"] = console.console_bar(
        now=now,
        dose_at=dose.given_at if dose else None,
        suggestion=suggestion,
        discharged=discharged is not None,
        cleared=ok,
        gate_failed=len(context["gate_failed"]),
        clearance_reasons=len(reasons),
        peak_at=expected_peak(booster or dose),
    )
    context["steps"] = console.steps(
        dosed=dose is not None,
        discharged=discharged is not None,
        cleared=ok and not context["gate_failed"],
        discharge_ready=observation_ok and peak_ok and vitals_ok,
        note_signed=bool(note and note.is_signed),
        forms=context,
    )
    context["step"] = {s.key: s for s in context["steps"]}
    return context


def chart_url(record: DosingRecord, now: dt.datetime) -> str | None:
    """The session timeline picture's own URL (dosing.views.timeline_svg), drawn there and
    not inline, so the page does not wait for matplotlib; None when no app draws one.
    `v` (the moment of this render, no data of the record) makes the <img> of a page
    swapped in by htmx load the picture again: a browser reuses an image of the same URL
    within a document, whatever its Cache-Control says."""
    if not plugins("PATHWAYS_SESSION_CHARTS"):
        return None
    url = reverse("dosing:timeline_svg", args=[record.pk])
    return f"{url}?v={int(now.timestamp() * 1000)}"


def expected_peak(latest: Administration | None) -> dt.datetime | None:
    """The latest dose's expected peak (issue 12 §3); None for a route without figures."""
    window = window_for(latest.route) if latest is not None else None
    return window.peak_at(latest.given_at) if window is not None and latest else None


def fresh(record: DosingRecord) -> DosingRecord:
    """A copy for a ModelForm to write into, so that the page shows what is stored."""
    found = _record(pk=record.pk)
    if not found:
        raise DosingRecord.DoesNotExist("DosingRecord matching query does not exist.")
    return found[0]


# The page's reads, compiled once (common.prepared): each is the query the ORM ran
# through the record's relations (`Discharge.objects.filter(record=…).first()`,
# `record.adverse_events.select_related(…)`, …); each row has its record, as
# the relation did (`with_parent`). Issue 14: building them was a third of the page's
# work.
@Prepared
def _record(*, pk: int) -> QuerySet[DosingRecord]:
    return DosingRecord.objects.filter(pk=pk).order_by()  # as get() asks: no order


@Prepared
def _discharge(*, record: int) -> QuerySet[Discharge]:
    return first_query(Discharge.objects.filter(record_id=record).select_related("discharged_by"))


@Prepared
def _note(*, session: int) -> QuerySet[SessionNote]:
    notes = SessionNote.objects.filter(session_id=session)
    return first_query(notes.select_related("author", "signed_by"))


@Prepared
def _contacts(*, record: int) -> QuerySet[PrescriberContact]:
    return PrescriberContact.objects.filter(record_id=record).select_related("recorded_by")


@Prepared
def _events(*, record: int) -> QuerySet[AdverseEvent]:
    return AdverseEvent.objects.filter(record_id=record).select_related("recorded_by")


@Prepared
def _addenda(*, note: int) -> QuerySet[Addendum]:
    return Addendum.objects.filter(note_id=note).select_related("author")


def addenda_of(note: SessionNote) -> list[Addendum]:
    """`note.addenda.select_related("author")`."""
    return with_parent(_addenda(note=note.pk), "note", note)
