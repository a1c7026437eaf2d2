"""The client record as Patient, Condition and AllergyIntolerance.

Only what the practice recorded: there is no gender or sex field on the record, so
the Patient has none (US Core's Patient profile requires `gender`, so the Patient
does not claim that profile); pronouns are not exported (the US Core extension
for them is not in clinical-reference.md). The escort and the emergency contact are
contacts, named by their relationship in the practice's words.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.patient import Patient

from clients.models import Allergy, Client, Diagnosis
from interop import codes
from interop.refs import (
    identifier_system,
    patient_ref,
    practice_ref,
    practitioner_ref,
    rid,
)


def _telecom(phone: str, email: str = "") -> list[dict[str, Any]]:
    found = []
    if phone:
        found.append({"system": "phone", "value": phone})
    if email:
        found.append({"system": "email", "value": email})
    return found


def _contact(role: str, name: str, relationship: str, phone: str) -> dict[str, Any] | None:
    if not (name or phone):
        return None
    relation = [codes.concept(text=role)]
    if relationship:
        relation.append(codes.concept(text=relationship))
    contact: dict[str, Any] = {"relationship": relation}
    if name:
        contact["name"] = {"text": name}
    if phone:
        contact["telecom"] = _telecom(phone)
    return contact


def _address(client: Client) -> dict[str, Any] | None:
    lines = [line for line in (client.address_line1, client.address_line2) if line]
    parts: dict[str, Any] = {
        "line": lines,
        "city": client.city,
        "state": client.state,
        "postalCode": client.postal_code,
    }
    found = {key: value for key, value in parts.items() if value}
    if not found:
        return None
    return {"use": "home", **found}


def patient(client: Client) -> Patient:
    names: list[dict[str, Any]] = [
        {"use": "official", "family": client.last_name, "given": [client.first_name]}
    ]
    if client.preferred_name:
        names.append({"use": "usual", "given": [client.preferred_name]})
    data: dict[str, Any] = {
        "id": rid("client", client.pk),
        "identifier": [{"system": identifier_system("client"), "value": str(client.pk)}],
        "name": names,
        "managingOrganization": practice_ref(),
    }
    if client.date_of_birth:
        data["birthDate"] = client.date_of_birth
    if telecom := _telecom(client.phone, client.email):
        data["telecom"] = telecom
    if address := _address(client):
        data["address"] = [address]
    contacts = [
        _contact(
            "Emergency contact",
            client.emergency_contact_name,
            client.emergency_contact_relationship,
            client.emergency_contact_phone,
        ),
        _contact(
            "Escort after dosing sessions",
            client.escort_name,
            client.escort_relationship,
            client.escort_phone,
        ),
    ]
    if found := [contact for contact in contacts if contact]:
        data["contact"] = found
    return Patient.model_validate(data)


def condition(diagnosis: Diagnosis) -> Condition:
    """A diagnosis on the client's problem list, coded in ICD-10-CM as entered."""
    status = codes.RESOLVED if diagnosis.resolved_at else codes.ACTIVE
    data: dict[str, Any] = {
        "id": rid("diagnosis", diagnosis.pk),
        "clinicalStatus": codes.concept(codes.coding(codes.CONDITION_CLINICAL, status)),
        "category": [
            codes.concept(codes.coding(codes.CONDITION_CATEGORY, codes.PROBLEM_LIST_ITEM))
        ],
        "code": codes.concept(
            codes.coding(codes.ICD10CM, diagnosis.code, diagnosis.description),
            text=diagnosis.description,
        ),
        "subject": patient_ref(diagnosis.client_id),
        "recordedDate": diagnosis.added_at,
        "recorder": practitioner_ref(diagnosis.added_by_id),
    }
    if diagnosis.resolved_at:
        data["abatementDateTime"] = diagnosis.resolved_at
    return Condition.model_validate(data)


def allergy_intolerance(allergy: Allergy) -> AllergyIntolerance:
    """An allergy as reported. Its severity belongs to a reaction in FHIR, so it is
    exported only beside the reaction it describes; "unknown" is left out."""
    status = codes.INACTIVE if allergy.removed_at else codes.ACTIVE
    data: dict[str, Any] = {
        "id": rid("allergy", allergy.pk),
        "clinicalStatus": codes.concept(codes.coding(codes.ALLERGY_CLINICAL, status)),
        "code": codes.concept(text=allergy.substance),
        "patient": patient_ref(allergy.client_id),
        "recordedDate": allergy.reported_at,
    }
    if allergy.reaction:
        reaction: dict[str, Any] = {"manifestation": [codes.concept(text=allergy.reaction)]}
        if allergy.severity != Allergy.Severity.UNKNOWN:
            reaction["severity"] = allergy.severity
        data["reaction"] = [reaction]
    return AllergyIntolerance.model_validate(data)
