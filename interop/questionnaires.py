"""A Questionnaire per instrument, generated from its definition (the JSON file in
measures/instruments/, as loaded into measures.Instrument), and a
QuestionnaireResponse per completed response.

The LOINC codes are the instrument file's own (panel, items, answers; empty where
the file leaves them unverified, as for PCL-5 and the GAD-7 answers). An answer
without a LOINC answer code is a Coding with the score as its code and the label as
its display, without a system: the score is the instrument's, not a code system's.
"""

from __future__ import annotations

import re
from typing import Any

from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from common.links import site_url
from interop import codes
from interop.refs import FHIR_BASE, patient_ref, practitioner_ref, rid
from measures.models import Instrument, Response, Source

Definition = dict[str, Any]


def questionnaire_id(instrument: Instrument) -> str:
    # An instrument code may hold "_", which a FHIR id may not.
    return rid("instrument", re.sub(r"[^A-Za-z0-9.-]", "-", instrument.code))


def questionnaire_url(instrument: Instrument) -> str:
    return site_url(f"{FHIR_BASE}/Questionnaire/{questionnaire_id(instrument)}")


def _answer_coding(option: dict[str, Any]) -> dict[str, Any]:
    if option.get("loinc"):
        return codes.loinc(option["loinc"], option["label"])
    return {"code": str(option["value"]), "display": option["label"]}


def _item(link_id: str, text: str, loinc: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "linkId": link_id,
        "text": text,
        "type": "choice",
        "answerOption": [{"valueCoding": _answer_coding(option)} for option in options],
    }
    if loinc:
        item["code"] = [codes.loinc(loinc)]
    return item


def scored_items(definition: Definition) -> list[tuple[str, dict[str, Any]]]:
    """(linkId, item) for each scored item: its number."""
    return [(str(item["number"]), item) for item in definition["items"]]


def unscored_items(definition: Definition) -> list[tuple[str, dict[str, Any]]]:
    """(linkId, item) for each unscored item (PHQ-9's difficulty question): its key."""
    return [(str(item["key"]), item) for item in definition.get("unscored_items") or []]


def options_of(definition: Definition, item: dict[str, Any]) -> list[dict[str, Any]]:
    return list(item.get("options") or definition["options"])


def questionnaire(instrument: Instrument) -> Questionnaire:
    definition: Definition = instrument.definition
    items = [
        _item(link_id, item["text"], item.get("loinc", ""), options_of(definition, item))
        for link_id, item in (*scored_items(definition), *unscored_items(definition))
    ]
    description = " ".join(
        part for part in (definition.get("instructions", ""), definition["stem"]) if part
    )
    data: dict[str, Any] = {
        "id": questionnaire_id(instrument),
        "url": questionnaire_url(instrument),
        "version": instrument.version,
        "name": re.sub(r"[^A-Za-z0-9]", "", instrument.short_name) or "Instrument",
        "title": instrument.name,
        "status": "active",
        "subjectType": ["Patient"],
        "description": description,
        "copyright": definition["licence"],
        "item": items,
    }
    if panel := definition["loinc"].get("panel"):
        data["code"] = [codes.loinc(panel)]
    return Questionnaire.model_validate(data)


def _option_for(definition: Definition, item: dict[str, Any], value: Any) -> dict[str, Any]:
    for option in options_of(definition, item):
        if option["value"] == value:
            return option
    # A stored answer outside the options (an older definition): the score alone.
    return {"value": value, "label": str(value)}


def questionnaire_response(response: Response) -> QuestionnaireResponse:
    instrument = response.instrument
    definition: Definition = instrument.definition
    given = {**response.answers, **(response.unscored or {})}
    items = []
    for link_id, item in (*scored_items(definition), *unscored_items(definition)):
        if link_id not in given or given[link_id] is None:
            continue
        option = _option_for(definition, item, given[link_id])
        items.append(
            {
                "linkId": link_id,
                "text": item["text"],
                "answer": [{"valueCoding": _answer_coding(option)}],
            }
        )
    # The client answered; on paper, the staff member who typed it in recorded it.
    author = (
        practitioner_ref(response.entered_by_id)
        if response.source == Source.PAPER and response.entered_by_id
        else patient_ref(response.client_id)
    )
    data: dict[str, Any] = {
        "id": rid("measure-response", response.pk),
        "questionnaire": f"{questionnaire_url(instrument)}|{response.definition_version}",
        "status": "completed",
        "subject": patient_ref(response.client_id),
        "authored": response.answered_at,
        "author": author,
        "source": patient_ref(response.client_id),
        "item": items,
    }
    return QuestionnaireResponse.model_validate(data)
