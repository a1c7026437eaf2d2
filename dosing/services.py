"""Audited writes on the dosing session record. Each runs in one transaction.

The rules live here, not in the forms, so that a crafted POST meets them too:
the dose only after clearance and never above the prescription; a booster only
where the prescription authorises one; discharge only when every criterion is
met or a reason is written; the note locked once signed.

Discharge and the vitals criterion: the server judges "vitals within the
parameters" itself, from the latest set taken before discharge (phase
"discharge"). Without one, or with one out of range, the criterion is unmet
and discharge needs a documented reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.access import AuthedRequest
from accounts.models import Role, User
from audit.services import log_action
from dosing.models import (
    Addendum,
    Administration,
    AdverseEvent,
    Discharge,
    DosingRecord,
    PrescriberContact,
    SessionNote,
    VitalSigns,
)
from dosing.vitals import out_of_range
from notifications.services import email_queue
from prescriptions.models import RxStatus
from prescriptions.queries import current_version
from treatment import services as treatment_services
from treatment.gate import Check
from treatment.models import SessionKind, SessionStatus, TreatmentSession

SERIOUS_TEMPLATE = "notifications/email/dosing_serious_event"
SUMMARY_TEMPLATE = "notifications/email/dosing_summary"
PREDOSE_PHASES = (VitalSigns.Phase.BASELINE, VitalSigns.Phase.RECHECK)
# A time typed a little ahead of the server's clock is a clock difference, not the future.
CLOCK_SKEW = dt.timedelta(minutes=5)


class DosingError(Exception):
    """A refused action; `reasons` are plain sentences for the person."""

    def __init__(self, *reasons: str) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = list(reasons)


def _client(record: DosingRecord) -> Any:
    return record.session.course.client


def _lock(record: DosingRecord) -> DosingRecord:
    """Re-read the record under a row lock: two tabs cannot both dose."""
    return (
        DosingRecord.objects.select_for_update()
        .select_related("session__course__client", "prescription")
        .get(pk=record.pk)
    )


def _not_future(at: dt.datetime, what: str) -> None:
    if at > timezone.now() + CLOCK_SKEW:
        raise DosingError(f"{what} cannot be in the future.")


def is_discharged(record: DosingRecord) -> bool:
    return Discharge.objects.filter(record=record).exists()


def dose_given(record: DosingRecord) -> Administration | None:
    return record.administrations.filter(kind=Administration.Kind.DOSE).first()


# --- Opening the record --------------------------------------------------------


def record_open(
    request: AuthedRequest, session_id: int
) -> tuple[DosingRecord | None, list[Check]]:
    """Start the dosing session through the readiness gate and open its record.

    `treatment.services.dosing_start` runs every gate condition under row locks
    and audits a blocked attempt; only when it starts the session is the record
    created, in the same transaction. Returns (record, checks); record is None
    when the gate is closed. A session already opened returns its record.
    Raises treatment.services.SessionError for a session that cannot start.
    """
    existing = DosingRecord.objects.filter(session_id=session_id).first()
    if existing is not None:
        return existing, []
    session = TreatmentSession.objects.select_related("course__client").get(pk=session_id)
    if (
        session.kind == SessionKind.DOSING
        and session.status == SessionStatus.IN_PROGRESS
        and session.started_at is not None
        and session.prescription_id is not None
    ):
        # Started through the gate (the only way a dosing session gets in progress)
        # before its record was opened: open the record now, once.
        return _open_started(request, session), []
    with transaction.atomic():
        started, checks = treatment_services.dosing_start(request, session_id)
        if not started:
            return None, checks
        session = TreatmentSession.objects.select_related("course__client", "prescription").get(
            pk=session_id
        )
        if session.prescription is None:  # dosing_start always sets it; belt and braces
            raise treatment_services.SessionError("The session has no prescription.")
        record = DosingRecord.objects.create(
            session=session,
            prescription=session.prescription,
            opened_by=request.user,
            escort_name=session.escort_name,
            escort_phone=session.escort_phone,
        )
        log_action(
            request,
            "dosing.record_open",
            record,
            client=session.course.client,
            detail={"session": session.pk, "prescription": session.prescription_id},
        )
        _appointment_in_session(request, session)
    return record, checks


def _appointment_in_session(request: AuthedRequest, session: TreatmentSession) -> None:
    """The booked appointment follows the session: an arrived client is now in session."""
    from scheduling.models import Appointment, AppointmentStatus
    from scheduling.services import appointment_set_status

    appt = Appointment.objects.filter(session=session, status=AppointmentStatus.ARRIVED).first()
    if appt is not None:
        appointment_set_status(request, appt, AppointmentStatus.IN_SESSION)


def _open_started(request: AuthedRequest, session: TreatmentSession) -> DosingRecord:
    with transaction.atomic():
        locked = TreatmentSession.objects.select_for_update().get(pk=session.pk)
        existing = DosingRecord.objects.filter(session=locked).first()
        if existing is not None:
            return existing
        assert locked.prescription_id is not None  # noqa: S101 (checked by the caller)
        record = DosingRecord.objects.create(
            session=locked,
            prescription_id=locked.prescription_id,
            opened_by=request.user,
            escort_name=locked.escort_name,
            escort_phone=locked.escort_phone,
        )
        log_action(
            request,
            "dosing.record_open",
            record,
            client=session.course.client,
            detail={
                "session": locked.pk,
                "prescription": locked.prescription_id,
                "started_earlier": True,
            },
        )
    return record


# --- Pre-dose checks -----------------------------------------------------------

PREDOSE_FIELDS = [
    "fasting_confirmed",
    "fasting_hours",
    "holds_respected",
    "escort_name",
    "escort_phone",
    "intention",
]


def predose_save(request: AuthedRequest, record: DosingRecord, data: dict[str, Any]) -> None:
    with transaction.atomic():
        record = _lock(record)
        if dose_given(record):
            raise DosingError(
                "The dose has been given: the pre-dose checks are part of the record."
            )
        if is_discharged(record):
            raise DosingError("The client has been discharged.")
        changed = [name for name in PREDOSE_FIELDS if getattr(record, name) != data[name]]
        for name in PREDOSE_FIELDS:
            setattr(record, name, data[name])
        record.predose_checked_at = timezone.now()
        record.predose_checked_by = request.user
        record.save(update_fields=[*PREDOSE_FIELDS, "predose_checked_at", "predose_checked_by"])
        log_action(
            request, "dosing.predose", record, client=_client(record), detail={"fields": changed}
        )


def predose_missing(record: DosingRecord) -> list[str]:
    missing = []
    if not record.fasting_confirmed or record.fasting_hours is None:
        missing.append("Fasting is not confirmed, with the hours.")
    if not record.holds_respected:
        missing.append("Medication holds are not confirmed as respected.")
    if not (record.escort_name.strip() and record.escort_phone.strip()):
        missing.append("The escort's name and phone are not recorded.")
    if not record.intention.strip():
        missing.append("The client's intention is not recorded.")
    return missing


# --- Vitals --------------------------------------------------------------------


def allowed_phases(record: DosingRecord) -> list[str]:
    """Baseline and re-check only before the dose, monitoring only after it,
    before-discharge at any time until discharge; a baseline only once."""
    if is_discharged(record):
        return []
    if dose_given(record):
        return [VitalSigns.Phase.MONITORING, VitalSigns.Phase.DISCHARGE]
    if record.vitals.filter(phase=VitalSigns.Phase.BASELINE).exists():
        return [VitalSigns.Phase.RECHECK, VitalSigns.Phase.DISCHARGE]
    return [VitalSigns.Phase.BASELINE, VitalSigns.Phase.DISCHARGE]


def vitals_add(
    request: AuthedRequest, record: DosingRecord, data: dict[str, Any]
) -> tuple[VitalSigns, list[str]]:
    """Store a set; returns it and its out-of-range messages (flags), at once."""
    with transaction.atomic():
        record = _lock(record)
        phase = data["phase"]
        if phase not in allowed_phases(record):
            raise DosingError(_phase_refusal(record, phase))
        _not_future(data["taken_at"], "The time taken")
        vitals = VitalSigns.objects.create(
            record=record,
            phase=phase,
            taken_at=data["taken_at"],
            systolic=data["systolic"],
            diastolic=data["diastolic"],
            heart_rate=data["heart_rate"],
            spo2=data["spo2"],
            sedation=data.get("sedation", False),
            dissociation=data.get("dissociation", False),
            notes=data.get("notes", ""),
            recorded_by=request.user,
        )
        flags = out_of_range(vitals, record.prescription)
        log_action(
            request,
            "dosing.vitals_add",
            record,
            client=_client(record),
            detail={"vitals": vitals.pk, "phase": phase, "out_of_range": bool(flags)},
        )
    return vitals, flags


def _phase_refusal(record: DosingRecord, phase: str) -> str:
    if is_discharged(record):
        return "The client has been discharged: no more vitals can be added."
    if phase in PREDOSE_PHASES and dose_given(record):
        return "The dose has been given: record this set as monitoring."
    if phase == VitalSigns.Phase.MONITORING:
        return "Monitoring sets come after the dose: record this set as a baseline or re-check."
    if phase == VitalSigns.Phase.BASELINE:
        return "A baseline is already recorded: record this set as a re-check."
    return "A re-check follows a baseline: record the baseline first."


def latest_predose(record: DosingRecord) -> VitalSigns | None:
    return record.vitals.filter(phase__in=PREDOSE_PHASES).order_by("-taken_at", "-id").first()


def latest_discharge_vitals(record: DosingRecord) -> VitalSigns | None:
    return (
        record.vitals.filter(phase=VitalSigns.Phase.DISCHARGE).order_by("-taken_at", "-id").first()
    )


# --- Out-of-range pre-dose vitals: the prescriber ------------------------------


def prescriber_contact_add(
    request: AuthedRequest, record: DosingRecord, data: dict[str, Any]
) -> PrescriberContact:
    """Record the call about the latest out-of-range pre-dose set, and the answer."""
    with transaction.atomic():
        record = _lock(record)
        if dose_given(record) or is_discharged(record):
            raise DosingError("A prescriber contact is recorded before the dose.")
        latest = latest_predose(record)
        if latest is None or not out_of_range(latest, record.prescription):
            raise DosingError("The latest pre-dose vitals are in range: no contact is needed.")
        _not_future(data["contacted_at"], "The time of the contact")
        if data["contacted_at"] < latest.taken_at:
            raise DosingError("The prescriber was contacted before these vitals were taken.")
        contact = PrescriberContact.objects.create(
            record=record,
            vitals=latest,
            contacted_at=data["contacted_at"],
            prescriber_name=data["prescriber_name"],
            instruction=data["instruction"],
            proceed=data["proceed"],
            recorded_by=request.user,
        )
        log_action(
            request,
            "dosing.prescriber_contact",
            record,
            client=_client(record),
            detail={"contact": contact.pk, "vitals": latest.pk, "proceed": contact.proceed},
        )
    return contact


def dosing_clearance(record: DosingRecord) -> tuple[bool, list[str]]:
    """May the dose be given now? (ok, the reasons it may not).

    Pre-dose checks done, AND the latest baseline or re-check in range, OR the
    prescriber approved dosing (proceed) about that very set.
    """
    reasons = predose_missing(record)
    latest = latest_predose(record)
    if latest is None:
        reasons.append("No baseline vitals are recorded.")
    else:
        messages = out_of_range(latest, record.prescription)
        if messages:
            contact = latest.prescriber_contacts.order_by("-contacted_at", "-id").first()
            if contact is None:
                reasons.append(
                    "The latest pre-dose vitals are out of range ("
                    + " ".join(messages)
                    + ") Record an in-range re-check, or the prescriber's instruction."
                )
            elif not contact.proceed:
                reasons.append(
                    "The prescriber did not approve dosing with the latest vitals. "
                    "Record an in-range re-check before dosing."
                )
    return not reasons, reasons


# --- Administration ------------------------------------------------------------


def administer(
    request: AuthedRequest,
    record: DosingRecord,
    kind: str,
    dose_mg: Decimal,
    given_at: dt.datetime,
    given_by: User,
    witnessed_by: User,
) -> Administration:
    """Record the dose or the booster, within the prescription; refused otherwise."""
    with transaction.atomic():
        record = _lock(record)
        rx = record.prescription
        try:
            reasons = _administer_refusals(record, kind, dose_mg, given_at, given_by, witnessed_by)
        except DosingError as exc:
            reasons = exc.reasons
        if reasons:
            # Audited (committed, not rolled back), with no free text.
            log_action(
                request,
                "dosing.administer_refused",
                record,
                client=_client(record),
                detail={"kind": kind, "refusals": len(reasons)},
            )
    if reasons:
        raise DosingError(*reasons)
    with transaction.atomic():
        record = _lock(record)
        # Checked again under the lock that the write holds.
        if _administer_refusals(record, kind, dose_mg, given_at, given_by, witnessed_by):
            raise DosingError("The record changed meanwhile: reload the page and try again.")
        given = Administration.objects.create(
            record=record,
            kind=kind,
            dose_mg=dose_mg,
            route=rx.route,
            given_at=given_at,
            given_by=given_by,
            witnessed_by=witnessed_by,
        )
        log_action(
            request,
            "dosing.administer",
            record,
            client=_client(record),
            detail={"administration": given.pk, "kind": kind, "prescription": rx.pk},
        )
    return given


def _administer_refusals(
    record: DosingRecord,
    kind: str,
    dose_mg: Decimal,
    given_at: dt.datetime,
    given_by: User,
    witnessed_by: User,
) -> list[str]:
    rx = record.prescription
    if is_discharged(record):
        return ["The client has been discharged."]
    if current_version(rx).status == RxStatus.DISCONTINUED:
        return ["The prescription has been discontinued: it can no longer be dosed against."]
    dose = dose_given(record)
    reasons: list[str] = []
    if kind == Administration.Kind.DOSE:
        if dose is not None:
            return ["The dose has already been given. A further amount is a booster."]
        ok, blocked = dosing_clearance(record)
        if not ok:
            return blocked
        if dose_mg > rx.dose_mg:
            reasons.append(f"The dose cannot exceed the prescription's {rx.dose_mg} mg.")
        latest = latest_predose(record)
        if latest is not None and given_at < latest.taken_at:
            reasons.append("The dose cannot be given before the pre-dose vitals were taken.")
    elif kind == Administration.Kind.BOOSTER:
        if rx.booster_mg is None:
            return ["The prescription does not authorise a booster."]
        if dose is None:
            return ["A booster follows the dose: give the dose first."]
        if record.administrations.filter(kind=Administration.Kind.BOOSTER).exists():
            return ["The booster has already been given."]
        if dose_mg > rx.booster_mg:
            reasons.append(f"The booster cannot exceed the prescription's {rx.booster_mg} mg.")
        if given_at < dose.given_at:
            reasons.append("The booster cannot be given before the dose.")
    else:
        return ["Unknown kind of administration."]
    if dose_mg <= 0:
        reasons.append("Enter an amount above zero.")
    if given_by.pk == witnessed_by.pk:
        reasons.append("The person who gives the dose cannot also witness it.")
    for person in (given_by, witnessed_by):
        if not person.is_active or person.role not in (Role.ADMIN, Role.THERAPIST, Role.INTAKE):
            reasons.append("Who gave and who witnessed must be active practice staff.")
            break
    _not_future(given_at, "The time given")
    return reasons


# --- Adverse events ------------------------------------------------------------


def adverse_event_add(
    request: AuthedRequest, record: DosingRecord, data: dict[str, Any]
) -> AdverseEvent:
    """Record an event; a serious one notifies the prescriber(s), with no PHI."""
    with transaction.atomic():
        record = _lock(record)
        _not_future(data["occurred_at"], "The time of the event")
        event = AdverseEvent.objects.create(
            record=record,
            type=data["type"],
            description=data.get("description", ""),
            severity=data["severity"],
            occurred_at=data["occurred_at"],
            action_taken=data["action_taken"],
            rescue_medication=data.get("rescue_medication", ""),
            recorded_by=request.user,
        )
        notified = 0
        if event.severity == AdverseEvent.Severity.SERIOUS:
            notified = _notify_prescribers(record, SERIOUS_TEMPLATE)
        log_action(
            request,
            "dosing.adverse_event",
            record,
            client=_client(record),
            detail={
                "adverse_event": event.pk,
                "type": event.type,
                "severity": event.severity,
                "notified": notified,
            },
        )
    return event


def prescriber_recipients(record: DosingRecord) -> list[str]:
    """The prescription's prescriber and the partner's active prescribers (and its mailbox)."""
    from partners.notifications import partner_recipients

    rx = record.prescription
    addresses = set(partner_recipients(rx.referral.partner))
    if rx.prescriber.is_active and rx.prescriber.email:
        addresses.add(rx.prescriber.email)
    return sorted(addresses)


def _notify_prescribers(record: DosingRecord, template: str) -> int:
    context = {
        "practice": settings.PRACTICE_NAME,
        "link": settings.SITE_URL + reverse("portal_dosing:summary", args=[record.pk]),
    }
    addresses = prescriber_recipients(record)
    for address in addresses:
        email_queue(address, template, context)
    return len(addresses)


# --- Discharge -----------------------------------------------------------------


def discharge_vitals_check(record: DosingRecord) -> tuple[bool, str]:
    """Are the vitals within the parameters? Judged from the latest before-discharge set."""
    latest = latest_discharge_vitals(record)
    if latest is None:
        return False, "No before-discharge vitals are recorded."
    messages = out_of_range(latest, record.prescription)
    if messages:
        return False, "The latest before-discharge vitals are out of range: " + " ".join(messages)
    taken = timezone.localtime(latest.taken_at)
    return True, f"The before-discharge set at {taken:%H:%M} is within the parameters."


DISCHARGE_CRITERIA = {
    "vitals_within_parameters": "Vitals within the prescriber's parameters",
    "alert_and_oriented": "Alert and oriented",
    "walks_steadily": "Walks steadily",
    "escort_present": "Escort present",
}


def discharge_criteria(record: DosingRecord, data: dict[str, Any]) -> dict[str, bool]:
    vitals_ok, _ = discharge_vitals_check(record)
    return {
        "vitals_within_parameters": vitals_ok,
        "alert_and_oriented": bool(data.get("alert_and_oriented")),
        "walks_steadily": bool(data.get("walks_steadily")),
        "escort_present": bool(data.get("escort_present")),
    }


def discharge(request: AuthedRequest, record: DosingRecord, data: dict[str, Any]) -> Discharge:
    """Discharge the client and complete the session.

    Allowed without a dose (a session can end before dosing). Blocked until every
    criterion is met, or a reason is documented. The vitals criterion is the
    server's own judgement (see the module docstring), not a tick.
    """
    with transaction.atomic():
        record = _lock(record)
        if is_discharged(record):
            raise DosingError("The client has already been discharged.")
        criteria = discharge_criteria(record, data)
        unmet = [name for name, met in criteria.items() if not met]
        reason = (data.get("exception_reason") or "").strip()
        if unmet and not reason:
            # Audited (committed), then refused below.
            log_action(
                request,
                "dosing.discharge_refused",
                record,
                client=_client(record),
                detail={"unmet": unmet},
            )
    if unmet and not reason:
        labels = ", ".join(DISCHARGE_CRITERIA[name].lower() for name in unmet)
        raise DosingError(
            f"Discharge is blocked: not met: {labels}. "
            "Meet every criterion, or document the reason."
        )
    with transaction.atomic():
        record = _lock(record)
        if is_discharged(record):
            raise DosingError("The client has already been discharged.")
        criteria = discharge_criteria(record, data)
        unmet = [name for name, met in criteria.items() if not met]
        if unmet and not reason:
            raise DosingError("The record changed meanwhile: reload the page and try again.")
        discharged_at = data["discharged_at"]
        _not_future(discharged_at, "The discharge time")
        dose = dose_given(record)
        if dose is not None and discharged_at < dose.given_at:
            raise DosingError("The discharge time cannot be before the dose.")
        done = Discharge.objects.create(
            record=record,
            **criteria,
            exception_reason=reason if unmet else "",
            discharged_at=discharged_at,
            discharged_by=request.user,
        )
        session = record.session
        if session.status == SessionStatus.IN_PROGRESS:
            try:
                treatment_services.session_complete(request, session)
            except treatment_services.SessionError as exc:
                raise DosingError(str(exc)) from None
        _notify_prescribers(record, SUMMARY_TEMPLATE)
        log_action(
            request,
            "dosing.discharge",
            record,
            client=_client(record),
            detail={"discharge": done.pk, "unmet": unmet, "exception": bool(unmet)},
        )
    return done


# --- The DAP note --------------------------------------------------------------

NOTE_FIELDS = ["data", "assessment", "plan"]


def note_for(session: TreatmentSession) -> SessionNote | None:
    return SessionNote.objects.filter(session=session).first()


def note_save(request: AuthedRequest, record: DosingRecord, data: dict[str, Any]) -> SessionNote:
    with transaction.atomic():
        record = _lock(record)
        note = SessionNote.objects.select_for_update().filter(session=record.session).first()
        if note is not None and note.is_signed:
            raise DosingError("The note is signed and locked: add an addendum instead.")
        if note is None:
            note = SessionNote(session=record.session, author=request.user)
        changed = [name for name in NOTE_FIELDS if getattr(note, name) != data[name]]
        for name in NOTE_FIELDS:
            setattr(note, name, data[name])
        note.save()
        log_action(
            request,
            "note.save",
            note,
            client=_client(record),
            detail={"record": record.pk, "fields": changed},
        )
    return note


def note_sign(request: AuthedRequest, record: DosingRecord) -> SessionNote:
    with transaction.atomic():
        record = _lock(record)
        note = SessionNote.objects.select_for_update().filter(session=record.session).first()
        if note is None:
            raise DosingError("Write the note before signing it.")
        if note.is_signed:
            raise DosingError("The note is already signed.")
        empty = [name for name in NOTE_FIELDS if not getattr(note, name).strip()]
        if empty:
            raise DosingError("Complete data, assessment and plan before signing.")
        note.signed_at = timezone.now()
        note.signed_by = request.user
        note.save(update_fields=["signed_at", "signed_by", "updated_at"])
        log_action(
            request, "note.sign", note, client=_client(record), detail={"record": record.pk}
        )
    return note


def addendum_add(request: AuthedRequest, record: DosingRecord, text: str) -> Addendum:
    with transaction.atomic():
        record = _lock(record)
        note = SessionNote.objects.filter(session=record.session).first()
        if note is None or not note.is_signed:
            raise DosingError("An addendum is added to a signed note: edit the note instead.")
        addendum = Addendum.objects.create(note=note, text=text, author=request.user)
        log_action(
            request,
            "note.addendum",
            note,
            client=_client(record),
            detail={"record": record.pk, "addendum": addendum.pk},
        )
    return addendum


def is_dosing(session: TreatmentSession) -> bool:
    return session.kind == SessionKind.DOSING
