"""Medications: what the client reports taking (MedicationStatement), each version
of a ketamine prescription (MedicationRequest), each dose given (MedicationAdministration)
and the adverse events of a dosing session (AdverseEvent).

Ketamine is named by text: its RxNorm code is "unverified" in clinical-reference.md
(see interop.codes). The route is the prescription's, by text (no verified route
codes). A prescription's vital-sign limits, fasting hours and holds have no FHIR
element of their own: the holds and fasting go to the client's instructions as the
practice wrote them; the limits are not exported. An adverse event's description,
the action taken and any rescue medication have no place in R4B's AdverseEvent and
are not exported.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fhir.resources.R4B.adverseevent import AdverseEvent as FhirAdverseEvent
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement

from clients.models import ReportedMedication
from dosing.models import Administration, AdverseEvent
from interop import codes
from interop.refs import (
    encounter_ref,
    identifier_system,
    patient_ref,
    practitioner_ref,
    ref,
    rid,
)
from prescriptions.models import Prescription, Route, RxStatus

KETAMINE = "Ketamine"
ROUTES = dict(Route.choices)
RX_STATUS = {
    RxStatus.ACTIVE: "active",
    # A newer version replaced it, or it was stopped: either way it no longer governs.
    RxStatus.SUPERSEDED: "stopped",
    RxStatus.DISCONTINUED: "stopped",
}


def medication_statement(medication: ReportedMedication) -> MedicationStatement:
    data: dict[str, Any] = {
        "id": rid("medication", medication.pk),
        "status": "stopped" if medication.stopped_at else "active",
        "medicationCodeableConcept": codes.concept(text=medication.name),
        "subject": patient_ref(medication.client_id),
        "dateAsserted": medication.reported_at,
        "informationSource": patient_ref(medication.client_id),
    }
    if dosage := " ".join(part for part in (medication.dose, medication.frequency) if part):
        data["dosage"] = [{"text": dosage}]
    if medication.stopped_at:
        data["effectivePeriod"] = {"end": medication.stopped_at}
    return MedicationStatement.model_validate(data)


def _mg(value: Decimal) -> dict[str, Any]:
    return codes.quantity(value, codes.MILLIGRAM)


def _route(route: str) -> dict[str, Any]:
    return codes.concept(text=ROUTES.get(route, route))


def prescription_id(pk: int) -> str:
    return rid("prescription", pk)


def _dose_text(rx: Prescription) -> str:
    text = f"{rx.dose_mg:g} mg {ROUTES.get(rx.route, rx.route).lower()} per dosing session"
    if rx.dose_mg_per_kg is not None and rx.weight_kg is not None:
        text += f" ({rx.dose_mg_per_kg:g} mg/kg at {rx.weight_kg:g} kg)"
    return f"{text}, up to {rx.sessions_authorised} sessions"


def medication_request(rx: Prescription, prior_pk: int | None) -> MedicationRequest:
    """One version of a prescription. `prior_pk` is the version it replaced."""
    dose: dict[str, Any] = {
        "sequence": 1,
        "text": _dose_text(rx),
        "route": _route(rx.route),
        # How many dosing sessions the prescription authorises.
        "timing": {"repeat": {"count": rx.sessions_authorised}},
        "doseAndRate": [{"doseQuantity": _mg(rx.dose_mg)}],
    }
    if instructions := " ".join(p for p in (rx.fasting_summary(), rx.holds_summary()) if p):
        dose["patientInstruction"] = instructions
    dosage = [dose]
    if rx.booster_mg is not None:
        booster = "Booster, if needed"
        if rx.booster_after_minutes:
            booster += f", no earlier than {rx.booster_after_minutes} minutes after the dose"
        dosage.append(
            {
                "sequence": 2,
                "text": booster,
                "route": _route(rx.route),
                "asNeededBoolean": True,
                "doseAndRate": [{"doseQuantity": _mg(rx.booster_mg)}],
            }
        )
    notes = [f"Authorised for {rx.get_modality_display()}."]
    data: dict[str, Any] = {
        "id": prescription_id(rx.pk),
        # The versions of one prescription share its chain.
        "groupIdentifier": {
            "system": identifier_system("prescription"),
            "value": str(rx.chain_root_id),
        },
        "status": RX_STATUS[RxStatus(rx.status)],
        "intent": "order",
        "medicationCodeableConcept": codes.concept(text=rx.medication or KETAMINE),
        "subject": patient_ref(rx.client_id),
        "authoredOn": rx.created_at,
        "requester": practitioner_ref(rx.prescriber_id),
        "basedOn": [ref("ServiceRequest", rid("referral", rx.referral_id))],
        "dosageInstruction": dosage,
        "dispenseRequest": {"validityPeriod": {"start": rx.valid_from, "end": rx.valid_to}},
    }
    if rx.status != RxStatus.ACTIVE:
        data["statusReason"] = codes.concept(text=rx.get_status_display())
    if rx.discontinued_reason:
        notes.append(f"Discontinued: {rx.discontinued_reason}")
    if rx.range_override_reason:
        notes.append(f"Dose outside the usual range: {rx.range_override_reason}")
    data["note"] = [{"text": text} for text in notes]
    if prior_pk is not None:
        data["priorPrescription"] = ref("MedicationRequest", prescription_id(prior_pk))
    return MedicationRequest.model_validate(data)


def priors(prescriptions: list[Prescription]) -> dict[int, int]:
    """For each version after the first, the version it replaced (by pk)."""
    by_place = {(rx.chain_root_id, rx.version): rx.pk for rx in prescriptions}
    return {
        rx.pk: by_place[(rx.chain_root_id, rx.version - 1)]
        for rx in prescriptions
        if (rx.chain_root_id, rx.version - 1) in by_place
    }


def administration_id(pk: int) -> str:
    return rid("administration", pk)


def medication_administration(given: Administration, client_pk: int) -> MedicationAdministration:
    """One dose or booster, with who gave it (the client, when self-administered)
    and the staff member who watched."""
    giver = patient_ref(client_pk) if given.self_administered else None
    if given.given_by_id is not None:
        giver = practitioner_ref(given.given_by_id)
    performers = []
    if giver is not None:
        performers.append(
            {
                "function": codes.concept(
                    codes.coding(codes.ADMIN_PERFORMER_FUNCTION, codes.FUNCTION_PERFORMER)
                ),
                "actor": giver,
            }
        )
    performers.append(
        {
            "function": codes.concept(
                codes.coding(codes.ADMIN_PERFORMER_FUNCTION, codes.FUNCTION_WITNESS)
            ),
            "actor": practitioner_ref(given.witnessed_by_id),
        }
    )
    rx_pk = given.prescription_id or given.record.prescription_id
    data: dict[str, Any] = {
        "id": administration_id(given.pk),
        "status": "completed",
        "medicationCodeableConcept": codes.concept(text=KETAMINE),
        "subject": patient_ref(client_pk),
        "context": encounter_ref(given.record.session_id),
        "effectiveDateTime": given.given_at,
        "performer": performers,
        "request": ref("MedicationRequest", prescription_id(rx_pk)),
        "dosage": {
            "text": given.get_kind_display(),
            "route": _route(given.route),
            "dose": _mg(given.dose_mg),
        },
    }
    return MedicationAdministration.model_validate(data)


def adverse_event(
    event: AdverseEvent, client_pk: int, doses: list[Administration]
) -> FhirAdverseEvent:
    """An adverse event of a dosing session; the doses given before it are suspects."""
    data: dict[str, Any] = {
        "id": rid("adverse-event", event.pk),
        "actuality": "actual",
        "event": codes.concept(text=event.get_type_display()),
        "subject": patient_ref(client_pk),
        "encounter": encounter_ref(event.record.session_id),
        "date": event.occurred_at,
        "recorder": practitioner_ref(event.recorded_by_id),
        "severity": codes.concept(
            codes.coding(codes.ADVERSE_EVENT_SEVERITY, event.severity),
            text=event.get_severity_display(),
        ),
        # 21 CFR 312.32, as the record asks it; no verified code.
        "seriousness": codes.concept(text="Serious" if event.serious else "Not serious"),
    }
    suspects = [
        {"instance": ref("MedicationAdministration", administration_id(dose.pk))}
        for dose in doses
        if dose.record_id == event.record_id and dose.given_at <= event.occurred_at
    ]
    if suspects:
        data["suspectEntity"] = suspects
    return FhirAdverseEvent.model_validate(data)
