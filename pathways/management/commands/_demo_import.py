"""A previous provider's FHIR file, imported for the demo: before Jamie Fox came to the
practice, her previous therapist's system sent a PHQ-9 (as a LOINC form, answered
with LOINC answer codes) and a GAD-7 (as an Observation panel). The therapist
imported both through the same reader and store as the chart's "Import" page
(interop.importing, interop.import_store), so the demo shows them marked "Previous
provider" on her measures, and the audit trail has the import."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from accounts.actor import Actor
from accounts.models import Role, User
from clients.models import Client
from interop.import_store import plan_store
from interop.importing import read_bundle
from measures.models import Instrument, Response
from pathways.management.commands._demo_common import at, backdate, day_ago

LOINC = "http://loinc.org"


def _phq9_form(when: dt.datetime, scores: list[int]) -> dict[str, Any]:
    definition = Instrument.objects.get(code="phq9").definition
    answer_codes = [o["loinc"] for o in definition["options"]]
    return {
        "resourceType": "QuestionnaireResponse",
        "id": "prev-phq9",
        "questionnaire": "http://loinc.org/q/44249-1",
        "status": "completed",
        "authored": when.isoformat(),
        "item": [
            {
                "linkId": f"/{item['loinc']}",
                "answer": [{"valueCoding": {"system": LOINC, "code": answer_codes[score]}}],
            }
            for item, score in zip(definition["items"], scores, strict=True)
        ],
    }


def _gad7_panel(when: dt.datetime, scores: list[int]) -> dict[str, Any]:
    definition = Instrument.objects.get(code="gad7").definition
    return {
        "resourceType": "Observation",
        "id": "prev-gad7",
        "status": "final",
        "category": [{"coding": [{"code": "survey"}]}],
        "code": {"coding": [{"system": LOINC, "code": definition["loinc"]["panel"]}]},
        "effectiveDateTime": when.isoformat(),
        "component": [
            {"code": {"coding": [{"system": LOINC, "code": item["loinc"]}]}, "valueInteger": s}
            for item, s in zip(definition["items"], scores, strict=True)
        ],
    }


def seed_import(users: dict[str, User]) -> None:
    jamie = Client.objects.get(first_name="Jamie", last_name="Fox")
    assessed = at(day_ago(150), 14)
    data = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": _phq9_form(assessed, [2, 2, 3, 1, 1, 2, 2, 1, 0])},
            {"resource": _gad7_panel(assessed, [2, 3, 2, 2, 1, 2, 1])},
            {"resource": {"resourceType": "Patient", "id": "prev-patient"}},
        ],
    }
    plan = read_bundle(client=jamie, data=json.dumps(data).encode())
    result = plan_store(actor=Actor.for_user(users[Role.THERAPIST]), client=jamie, plan=plan)
    for response in result.responses:
        # Imported on her first day with the practice.
        backdate(Response, response.pk, created_at=at(day_ago(119), 11))
