"""An open dosing record, and the data of its forms, for the dosing tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from io import StringIO
from typing import Any, TypedDict

from django.core.management import call_command
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import User
from dosing import services
from dosing.models import DosingRecord, RiskCheckMethod, RiskCheckOutcome, VitalSigns
from measures.models import Instrument, Response, Source
from partners.models import Partner
from prescriptions import services as rx_services
from prescriptions.models import Prescription
from prescriptions.terms import PrescriptionTerms
from treatment.models import TreatmentSession
from treatment.tests.support import Ready, make_ready


class Readings(TypedDict):
    """The four numbers of a set of vital signs (a VitalsReading without its phase
    and time): typed by key, so that `**HIGH_BP` cannot be taken for `phase`."""

    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int


IN_RANGE: Readings = {"systolic": 120, "diastolic": 80, "heart_rate": 72, "spo2": 98}
HIGH_BP: Readings = {"systolic": 152, "diastolic": 96, "heart_rate": 72, "spo2": 98}


def actor_as(user: User) -> Actor:
    return Actor.for_user(user)


def revise(prescriber: User, rx: Prescription, **changes: Any) -> Prescription:
    """The prescriber's next version of `rx`: its terms with `changes`."""
    return rx_services.prescription_revise(
        actor=Actor.for_user(prescriber),
        prescription=rx,
        terms=replace(PrescriptionTerms.of(rx), **changes),
    )


def local(at: dt.datetime) -> str:
    """How a datetime-local input sends a moment: practice time, to the minute."""
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def ago(minutes: int) -> dt.datetime:
    return (timezone.now() - dt.timedelta(minutes=minutes)).replace(second=0, microsecond=0)


def open_record(
    therapist: User, prescriber: User, partner: Partner, **rx: Any
) -> tuple[Ready, DosingRecord]:
    """A gate-ready dosing session, started, with its record open (rx fields overridable)."""
    ready = make_ready(therapist, prescriber, partner)
    assert ready.prescription is not None
    if rx.get("booster_mg") is not None:
        rx.setdefault("booster_after_minutes", 30)
    if rx:
        for name, value in rx.items():
            setattr(ready.prescription, name, value)
        ready.prescription.save()
    record, checks = services.record_open(actor=actor_as(therapist), session=ready.session)
    assert record is not None, [c for c in checks if not c.ok]
    # The client arrived and the session started 90 minutes ago, so that the tests
    # can time baseline vitals, doses and monitoring in the recent past.
    started = timezone.now() - dt.timedelta(minutes=90)
    TreatmentSession.objects.filter(pk=record.session_id).update(started_at=started)
    record.refresh_from_db()
    record.session.refresh_from_db()
    return ready, record


def recent_phq9(client_id: int, hours_ago: float = 20, item9: int = 0) -> Response:
    """A completed PHQ-9 (all answers 0 but item 9), as the same-day check needs."""
    if not Instrument.objects.filter(code="phq9").exists():
        call_command("load_instruments", stdout=StringIO())
    answers = {str(n): 0 for n in range(1, 10)}
    answers["9"] = item9
    return Response.objects.create(
        client_id=client_id,
        instrument=Instrument.objects.get(code="phq9"),
        definition_version="test",
        source=Source.PAPER,
        answers=answers,
        total=item9,
        band_key="minimal",
        band_label="Minimal",
        answered_at=timezone.now() - dt.timedelta(hours=hours_ago),
    )


def predose_done(record: DosingRecord, **extra: Any) -> None:
    """Pre-dose checks meeting the test prescription (4 h food, 2 h liquids, a
    benzodiazepine hold), today's risk check with no risk, and a recent PHQ-9."""
    data: dict[str, Any] = {
        "fasting_confirmed": True,
        "fasting_hours": Decimal("5"),
        "fasting_liquids_hours": Decimal("3"),
        "holds_answers": {"Benzodiazepines": "held"},
        "holds_respected": True,
        "escort_name": "Walter Skinner",
        "escort_phone": "(555) 010-0150",
        "intention": "To meet the grief with kindness.",
        "risk_check_method": RiskCheckMethod.CSSRS,
        "risk_check_outcome": RiskCheckOutcome.NO_RISK,
        "risk_check_at": timezone.now(),
        "risk_check_by": record.opened_by,
    }
    data.update(extra)
    DosingRecord.objects.filter(pk=record.pk).update(**data)
    record.refresh_from_db()
    client_id = record.session.course.client_id
    if not Response.objects.filter(client_id=client_id, instrument__code="phq9").exists():
        recent_phq9(client_id)


def add_vitals(
    record: DosingRecord,
    user: User,
    phase: str = VitalSigns.Phase.BASELINE,
    minutes_ago: int = 30,
    **values: Any,
) -> tuple[VitalSigns, list[str]]:
    data: dict[str, Any] = {**IN_RANGE, "phase": phase, "taken_at": ago(minutes_ago)}
    data.update(values)
    reading = services.VitalsReading(**data)
    return services.vitals_add(actor=actor_as(user), record=record, reading=reading)


def cleared(record: DosingRecord, user: User, minutes_ago: int = 30) -> None:
    """Pre-dose checks done and an in-range baseline: the dose may be given."""
    predose_done(record)
    add_vitals(record, user, minutes_ago=minutes_ago)


def give_dose(
    record: DosingRecord, user: User, witness: User, mg: str = "100", minutes_ago: int = 20
) -> Any:
    return services.administration_add(
        actor=actor_as(user),
        record=record,
        kind="dose",
        dose_mg=Decimal(mg),
        given_at=ago(minutes_ago),
        given_by=user,
        witnessed_by=witness,
    )


def post_data(prefix: str, **fields: Any) -> dict[str, Any]:
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def arrived(record: DosingRecord, minutes_ago: int) -> None:
    """Move the client's arrival (the session's start) back to `minutes_ago`."""
    started = timezone.now() - dt.timedelta(minutes=minutes_ago)
    TreatmentSession.objects.filter(pk=record.session_id).update(started_at=started)
    record.session.refresh_from_db()


def dosed_and_checked(
    record: DosingRecord,
    user: User,
    witness: User,
    mg: str = "100",
    minutes_ago: int = 140,
    **peak_values: Any,
) -> Any:
    """Arrived, cleared (baseline 10 min before the dose), the dose given `minutes_ago`
    (past the 120-minute observation by default) and the BP check at dose + 40 min:
    a final set after that is all the server's discharge criteria still need."""
    arrived(record, minutes_ago + 30)
    cleared(record, user, minutes_ago=minutes_ago + 10)
    given = give_dose(record, user, witness, mg=mg, minutes_ago=minutes_ago)
    add_vitals(
        record,
        user,
        phase=VitalSigns.Phase.MONITORING,
        minutes_ago=minutes_ago - 40,
        **peak_values,
    )
    return given


def reveal(page: Any, selector: str) -> None:
    """Open the console's closed steps (and sub-forms) around `selector`, as a person
    does: a click on each closed <details>' summary, outermost first (issue 11 §3:
    only the current step is open)."""
    page.locator(selector).first.evaluate(
        """el => {
            const closed = [];
            for (let d = el.closest('details'); d; d = d.parentElement.closest('details')) {
                if (!d.open) closed.unshift(d);
            }
            closed.forEach(d => d.querySelector(':scope > summary').click());
        }"""
    )


def picture_settled(page: Any) -> None:
    """Wait until the session timeline picture, where the page shows it, has loaded
    (its own request, drawn after each change) before acting again: SQLite's shared
    in-memory test database refuses ("table is locked") a write that meets the
    picture's, where a file database in WAL mode, as served, waits its turn."""
    page.wait_for_function(
        "() => { const i = document.getElementById('timeline-chart');"
        " return i === null || !i.checkVisibility() || (i.complete && i.naturalWidth > 0); }"
    )


def sign_note_in_page(page: Any) -> None:
    """Sign and lock the note through its confirm (templates/includes/confirm.html)."""
    reveal(page, ".note-sign button[name=confirm]")  # the step, then the confirm
    page.get_by_role("button", name="Yes, sign and lock the note").click()
