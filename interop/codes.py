"""The code systems and codes the FHIR export uses, each with the published source
it was checked against (../shared/clinical-reference.md names the clinical ones).

A code that could not be checked is not here: the resource carries the practice's
own words as `text` instead (see the module that would have used it). Left out on
purpose, with the reason:

- RxNorm for ketamine (6130): marked "unverified" in clinical-reference.md, so the
  MedicationRequest and MedicationAdministration name the drug by text only.
- SNOMED CT 75516001 (psychotherapy), for the EMDR Procedure: clinical-reference.md
  lists it without a source, and no published page we could reach confirmed it.
- PCL-5 LOINC codes: clinical-reference.md says the sources conflict (and the
  instrument file leaves them empty); its Observations carry text codes only.
- Route of administration (SNOMED), adverse-event seriousness, consent category and
  the referral's category: not in clinical-reference.md; text only.
"""

from __future__ import annotations

from typing import Any

# --- Code systems -----------------------------------------------------------------
# FHIR R4 "Using Codes in Resources", external code systems
# (https://hl7.org/fhir/R4/terminologies-systems.html).
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
# HL7 Terminology code systems, each on its own page of the FHIR R4 specification
# (https://hl7.org/fhir/R4/codesystem-<name>.html) and of terminology.hl7.org.
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ADMIN_PERFORMER_FUNCTION = "http://terminology.hl7.org/CodeSystem/med-admin-perform-function"
ADVERSE_EVENT_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PROVENANCE_AGENT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"

# --- Observation categories (codesystem-observation-category; clinical-reference.md,
# "FHIR": scores are `survey`, vitals `vital-signs`) -----------------------------
SURVEY = "survey"
VITAL_SIGNS = "vital-signs"

# --- Vital signs: LOINC codes and UCUM units (clinical-reference.md, "Codes", from
# the HL7 US Core examples; the FHIR R4B vital-signs profiles fix the same codes and
# units, https://hl7.org/fhir/R4B/vitalsigns.html) --------------------------------
BP_PANEL = "85354-9"
SYSTOLIC = "8480-6"
DIASTOLIC = "8462-4"
HEART_RATE = "8867-4"
# US Core's pulse-oximetry profile carries both codes (clinical-reference.md).
SPO2 = ("2708-6", "59408-5")
MM_HG = "mm[Hg]"
PER_MINUTE = "/min"
PERCENT = "%"
MILLIGRAM = "mg"

# --- Status codes -------------------------------------------------------------------
# codesystem-condition-clinical / codesystem-allergyintolerance-clinical (FHIR R4).
ACTIVE = "active"
RESOLVED = "resolved"
INACTIVE = "inactive"
# codesystem-condition-category (FHIR R4): the client record's diagnoses are its
# problem list, not one encounter's diagnoses.
PROBLEM_LIST_ITEM = "problem-list-item"
# codesystem-consentscope (FHIR R4; clinical-reference.md, "FHIR": consent scope
# `treatment` or `patient-privacy`).
SCOPE_TREATMENT = "treatment"
SCOPE_PRIVACY = "patient-privacy"
# codesystem-med-admin-perform-function (FHIR R4): who gave the dose, who watched.
FUNCTION_PERFORMER = "performer"
FUNCTION_WITNESS = "witness"
# v3 ActCode AMB, "ambulatory" (FHIR R4 Encounter.class, value set
# v3-ActEncounterCode): care in the practice's office, the client not in a bed.
AMBULATORY = "AMB"
# codesystem-provenance-participant-type (FHIR R4): the practice keeps the record.
CUSTODIAN = "custodian"


def coding(system: str, code: str, display: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def concept(*codings: dict[str, Any], text: str = "") -> dict[str, Any]:
    """A CodeableConcept: the codings (none, when no code is verified) and the
    practice's words."""
    found: dict[str, Any] = {}
    if codings:
        found["coding"] = list(codings)
    if text:
        found["text"] = text
    return found


def loinc(code: str, display: str = "") -> dict[str, Any]:
    return coding(LOINC, code, display)


def quantity(value: Any, unit: str) -> dict[str, Any]:
    """A UCUM quantity: the unit as people write it and as UCUM codes it (the same
    text for every unit used here)."""
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}
