"""Appointments, sessions and EMDR work: Appointment per appointment, Encounter per
treatment session (and per appointment without a session that took place: an EMDR
or psychotherapy hour), and a Procedure per EMDR record.

Encounter.class is required: every session is `AMB` (ambulatory: the client comes to
the practice and goes home). Whether a session was held by video is not recorded,
so a telehealth session is not told apart. The EMDR Procedure is coded by text (the
SNOMED CT code for psychotherapy is left out, see interop.codes); its SUD and VOC
scores and the assessment's free text are not exported (no verified codes).
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.procedure import Procedure

from bls.models import EmdrRecord
from interop import codes
from interop.refs import (
    encounter_ref,
    patient_ref,
    practice_ref,
    practitioner_ref,
    ref,
    rid,
)
from scheduling.models import Appointment, AppointmentStatus
from treatment.models import SessionStatus, TreatmentSession

APPOINTMENT_STATUS = {
    AppointmentStatus.SCHEDULED: "booked",
    AppointmentStatus.ARRIVED: "arrived",
    AppointmentStatus.IN_SESSION: "checked-in",
    AppointmentStatus.COMPLETED: "fulfilled",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.NO_SHOW: "noshow",
}
SESSION_STATUS = {
    SessionStatus.PLANNED: "planned",
    SessionStatus.IN_PROGRESS: "in-progress",
    SessionStatus.COMPLETED: "finished",
    SessionStatus.CANCELLED: "cancelled",
}
# An appointment without a session is an encounter once the client has come.
VISIT_STATUS = {
    AppointmentStatus.ARRIVED: "arrived",
    AppointmentStatus.IN_SESSION: "in-progress",
    AppointmentStatus.COMPLETED: "finished",
}


def _ambulatory() -> dict[str, Any]:
    return codes.coding(codes.ACT_CODE, codes.AMBULATORY, "ambulatory")


def appointment(booked: Appointment) -> FhirAppointment:
    data: dict[str, Any] = {
        "id": rid("appointment", booked.pk),
        "status": APPOINTMENT_STATUS[AppointmentStatus(booked.status)],
        "serviceType": [codes.concept(text=booked.get_type_display())],
        "start": booked.starts_at,
        "end": booked.ends_at,
        "created": booked.created_at,
        "participant": [
            {"actor": patient_ref(booked.client_id), "status": "accepted"},
            {"actor": practitioner_ref(booked.clinician_id), "status": "accepted"},
        ],
    }
    if booked.status == AppointmentStatus.CANCELLED and booked.cancel_reason:
        data["cancelationReason"] = codes.concept(text=booked.cancel_reason)
    return FhirAppointment.model_validate(data)


def session_encounter(session: TreatmentSession, booked: Appointment | None) -> Encounter:
    """A session of a course; `booked` is its appointment, if it has one."""
    course = session.course
    data: dict[str, Any] = {
        "id": rid("session", session.pk),
        "status": SESSION_STATUS[SessionStatus(session.status)],
        "class": _ambulatory(),
        "type": [
            codes.concept(
                text=f"{course.get_modality_display()} {session.get_kind_display().lower()}"
                " session"
            )
        ],
        "subject": patient_ref(course.client_id),
        "serviceProvider": practice_ref(),
    }
    if booked is not None:
        data["appointment"] = [ref("Appointment", rid("appointment", booked.pk))]
        data["participant"] = [{"individual": practitioner_ref(booked.clinician_id)}]
    if session.started_at:
        data["period"] = {"start": session.started_at}
        if session.completed_at:
            data["period"]["end"] = session.completed_at
    return Encounter.model_validate(data)


def visit_encounter(booked: Appointment) -> Encounter | None:
    """The encounter of an appointment without a session, once the client came."""
    status = VISIT_STATUS.get(AppointmentStatus(booked.status))
    if booked.session_id is not None or status is None:
        return None
    data: dict[str, Any] = {
        "id": rid("appointment", booked.pk),
        "status": status,
        "class": _ambulatory(),
        "type": [codes.concept(text=booked.get_type_display())],
        "subject": patient_ref(booked.client_id),
        "appointment": [ref("Appointment", rid("appointment", booked.pk))],
        "participant": [{"individual": practitioner_ref(booked.clinician_id)}],
        "serviceProvider": practice_ref(),
    }
    start = booked.in_session_at or booked.arrived_at
    if start:
        data["period"] = {"start": start}
        if booked.completed_at:
            data["period"]["end"] = booked.completed_at
    return Encounter.model_validate(data)


def emdr_procedure(
    record: EmdrRecord, client_pk: int, encounter: dict[str, Any] | None
) -> Procedure:
    """The EMDR work of one session (KA-EMDR dosing, or EMDR without ketamine);
    `encounter` is the reference to the Encounter it happened in, when there is one."""
    marks = sorted(record.phase_marks.all(), key=lambda mark: (mark.at, mark.pk))
    data: dict[str, Any] = {
        "id": rid("emdr", record.pk),
        "status": "completed" if record.closure else "in-progress",
        "code": codes.concept(
            text="EMDR (eye movement desensitisation and reprocessing) psychotherapy"
        ),
        "subject": patient_ref(client_pk),
        "performedPeriod": {"start": marks[0].at if marks else record.created_at},
        "recorder": practitioner_ref(record.created_by_id),
        "performer": [{"actor": practitioner_ref(record.created_by_id)}],
    }
    if encounter is not None:
        data["encounter"] = encounter
    if record.closure:
        data["outcome"] = codes.concept(text=f"Closure {record.get_closure_display().lower()}")
        if len(marks) > 1:
            data["performedPeriod"]["end"] = marks[-1].at
    return Procedure.model_validate(data)


def emdr_encounter(record: EmdrRecord, visits: set[int]) -> dict[str, Any] | None:
    """The Encounter an EMDR record belongs to: its session's, or its appointment's
    when that appointment is in `visits` (those exported as Encounters)."""
    if record.session_id is not None:
        return encounter_ref(record.session_id)
    if record.appointment_id in visits:
        return ref("Encounter", rid("appointment", record.appointment_id))
    return None
