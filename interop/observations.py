"""Observations: the scores of each measure response, and the vital signs of each
dosing session.

A response gives a panel (the instrument's panel LOINC code, each answered item a
component, derived from the QuestionnaireResponse), a total (the total LOINC code,
the band as its interpretation, in the instrument's words: the bands describe
severity, they are not a diagnosis) and, for an item the instrument flags as a
safety item (PHQ-9 item 9), an Observation of its own so that a receiving system can
find it by its code; the panel has the total and those as members
(clinical-reference.md, "FHIR": category `survey`, `derivedFrom` the response,
`hasMember`). An instrument without verified LOINC codes (PCL-5) is coded by text.

Each set of vital signs gives three Observations, category `vital-signs`, with the
LOINC codes and UCUM units of clinical-reference.md: blood pressure as a panel with
systolic and diastolic components, heart rate, and SpO2 with both of US Core's
codes. The observer's sedation and dissociation flags and the free-text note are
not exported: no verified code says what they are.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.observation import Observation

from dosing.models import VitalSigns
from interop import codes
from interop.questionnaires import scored_items, unscored_items
from interop.refs import encounter_ref, patient_ref, practitioner_ref, ref, rid
from measures.models import Response


def _code(loinc: str, text: str) -> dict[str, Any]:
    return codes.concept(codes.loinc(loinc), text=text) if loinc else codes.concept(text=text)


def _category(code: str) -> list[dict[str, Any]]:
    return [codes.concept(codes.coding(codes.OBSERVATION_CATEGORY, code))]


def _survey(response: Response, obs_id: str, code: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": obs_id,
        "status": "final",
        "category": _category(codes.SURVEY),
        "code": code,
        "subject": patient_ref(response.client_id),
        "effectiveDateTime": response.answered_at,
        "issued": response.created_at,
        "performer": [patient_ref(response.client_id)],
        "derivedFrom": [ref("QuestionnaireResponse", rid("measure-response", response.pk))],
    }


def total_id(response: Response) -> str:
    return rid("measure-response", response.pk, "total")


def item_id(response: Response, number: str) -> str:
    return rid("measure-response", response.pk, "item", number)


def measure_observations(response: Response) -> list[Observation]:
    """The panel, the total and the safety items' Observations of one response."""
    instrument = response.instrument
    definition = instrument.definition
    name = instrument.short_name
    given = {**response.answers, **(response.unscored or {})}
    answered = [
        (link_id, item)
        for link_id, item in (*scored_items(definition), *unscored_items(definition))
        if given.get(link_id) is not None
    ]
    total = _survey(
        response,
        total_id(response),
        _code(definition["loinc"].get("total", ""), f"{name} total score"),
    )
    total["valueInteger"] = response.total
    total["interpretation"] = [codes.concept(text=response.band_label)]
    safety = []
    for link_id, item in answered:
        if item.get("safety_item"):
            found = _survey(
                response,
                item_id(response, link_id),
                _code(item.get("loinc", ""), f"{name} item {link_id}: {item['text']}"),
            )
            found["valueInteger"] = given[link_id]
            safety.append(found)
    panel = _survey(
        response,
        rid("measure-response", response.pk),
        _code(definition["loinc"].get("panel", ""), instrument.name),
    )
    panel["hasMember"] = [ref("Observation", member["id"]) for member in (total, *safety)]
    panel["component"] = [
        {
            "code": _code(item.get("loinc", ""), f"{name} item {link_id}: {item['text']}"),
            "valueInteger": given[link_id],
        }
        for link_id, item in answered
    ]
    return [Observation.model_validate(data) for data in (panel, total, *safety)]


def _vital(
    vitals: VitalSigns, client_pk: int, suffix: str, code: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": rid("vitals", vitals.pk, suffix),
        "status": "final",
        "category": _category(codes.VITAL_SIGNS),
        "code": code,
        "subject": patient_ref(client_pk),
        "encounter": encounter_ref(vitals.record.session_id),
        "effectiveDateTime": vitals.taken_at,
        "performer": [practitioner_ref(vitals.recorded_by_id)],
        # When in the session the set was taken (baseline, monitoring, discharge).
        "note": [{"text": vitals.get_phase_display()}],
    }


def vital_observations(vitals: VitalSigns, client_pk: int) -> list[Observation]:
    """Blood pressure (a panel), heart rate and SpO2 of one set of vital signs."""
    bp = _vital(vitals, client_pk, "bp", _code(codes.BP_PANEL, "Blood pressure"))
    bp["component"] = [
        {
            "code": _code(codes.SYSTOLIC, "Systolic blood pressure"),
            "valueQuantity": codes.quantity(vitals.systolic, codes.MM_HG),
        },
        {
            "code": _code(codes.DIASTOLIC, "Diastolic blood pressure"),
            "valueQuantity": codes.quantity(vitals.diastolic, codes.MM_HG),
        },
    ]
    heart = _vital(vitals, client_pk, "heart-rate", _code(codes.HEART_RATE, "Heart rate"))
    heart["valueQuantity"] = codes.quantity(vitals.heart_rate, codes.PER_MINUTE)
    spo2 = _vital(
        vitals,
        client_pk,
        "spo2",
        codes.concept(*(codes.loinc(code) for code in codes.SPO2), text="Oxygen saturation"),
    )
    spo2["valueQuantity"] = codes.quantity(vitals.spo2, codes.PERCENT)
    return [Observation.model_validate(data) for data in (bp, heart, spo2)]
