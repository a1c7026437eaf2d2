"""Helpers for the import tests: FHIR resources as a previous provider's file holds
them, and a base test case that previews and confirms an upload (no tests of its own,
so that a module importing it collects none twice)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from clients.models import Client
from interop import importing
from interop.import_plan import Skipped
from interop.tests.support import KapRecord, kap_record
from measures.models import Instrument
from pathways.testing import BaseTestCase, make_client

LOINC = "http://loinc.org"


def _coded(code: str) -> dict[str, Any]:
    return {"coding": [{"system": LOINC, "code": code}]}


def measure(
    code: str,
    answers: dict[str, int],
    at: dt.datetime | str,
    *,
    key: str = "a",
    total: int | None = None,
    panel: str | None = None,
) -> list[dict[str, Any]]:
    """A panel Observation (items as components) and its total, as our export writes."""
    definition = Instrument.objects.get(code=code).definition
    codes = {str(i["number"]): i["loinc"] for i in definition["items"]}
    codes.update({str(u["key"]): u["loinc"] for u in definition.get("unscored_items") or []})
    when = at if isinstance(at, str) else at.isoformat()
    found: list[dict[str, Any]] = [
        {
            "resourceType": "Observation",
            "id": f"{key}-panel",
            "status": "final",
            "code": _coded(panel or definition["loinc"]["panel"]),
            "effectiveDateTime": when,
            "hasMember": [{"reference": f"Observation/{key}-total"}],
            "component": [
                {"code": _coded(codes[k]), "valueInteger": v} for k, v in answers.items()
            ],
        }
    ]
    if total is not None:
        found.append(
            {
                "resourceType": "Observation",
                "id": f"{key}-total",
                "status": "final",
                "code": _coded(definition["loinc"]["total"]),
                "effectiveDateTime": when,
                "valueInteger": total,
            }
        )
    return found


def phq9(at: dt.datetime | str, key: str = "a", total: int | None = 5, **items: int) -> list[Any]:
    answers = {str(n): 0 for n in range(1, 10)}
    answers.update({k.lstrip("q"): v for k, v in items.items()})
    return measure("phq9", answers, at, key=key, total=total)


def medication(name: str, status: str = "active") -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "id": f"med-{name}",
        "status": status,
        "medicationCodeableConcept": {"text": name},
        "subject": {"reference": "Patient/p"},
        "dosage": [{"text": "20 mg once a day"}],
    }


def bundle(*resources: dict[str, Any]) -> bytes:
    entries = [{"fullUrl": f"urn:uuid:{n}", "resource": r} for n, r in enumerate(resources)]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()


# PHQ-9's answers 0–3 (../shared/clinical-reference.md, "Codes"; measures/instruments/phq9.json).
ANSWER_CODES = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]


def items_of(code: str) -> list[tuple[str, str]]:
    """(item number, item LOINC code) of an instrument's scored items."""
    definition = Instrument.objects.get(code=code).definition
    return [(str(i["number"]), i["loinc"]) for i in definition["items"]]


def loinc_form(at: str, scores: dict[str, int], status: str = "completed") -> dict[str, Any]:
    """A PHQ-9 as LHC-Forms writes it: the LOINC form's canonical, linkIds that end with
    the item's LOINC code, answers as LOINC answer codes, the total as an item."""
    answered = [
        {
            "linkId": f"/{loinc}",
            "answer": [{"valueCoding": {"system": LOINC, "code": ANSWER_CODES[scores[n]]}}],
        }
        for n, loinc in items_of("phq9")
    ]
    total = {"linkId": "/44261-6", "answer": [{"valueInteger": sum(scores.values())}]}
    return {
        "resourceType": "QuestionnaireResponse",
        "id": "lhc",
        "questionnaire": "http://loinc.org/q/44249-1",
        "status": status,
        "authored": at,
        "item": [*answered, total],
    }


def gad7_in_file(at: str, scores: dict[str, int]) -> list[dict[str, Any]]:
    """A GAD-7 from a system with its own Questionnaire (coded with LOINC) in the file,
    its questions under a heading, answered with whole numbers."""
    items = items_of("gad7")
    questionnaire = {
        "resourceType": "Questionnaire",
        "id": "their-gad7",
        "url": "https://ehr.example.org/Questionnaire/gad7",
        "status": "active",
        "code": [{"system": LOINC, "code": "69737-5"}],
        "item": [
            {
                "linkId": "g",
                "type": "group",
                "item": [
                    {"linkId": f"q{n}", "type": "integer", "code": [{"system": LOINC, "code": c}]}
                    for n, c in items
                ],
            }
        ],
    }
    answered = {
        "resourceType": "QuestionnaireResponse",
        "id": "their-gad7-answers",
        "questionnaire": "https://ehr.example.org/Questionnaire/gad7|3",
        "status": "completed",
        "authored": at,
        "item": [
            {
                "linkId": "g",
                "item": [
                    {"linkId": f"q{n}", "answer": [{"valueInteger": scores[n]}]} for n, _ in items
                ],
            }
        ],
    }
    return [questionnaire, answered]


class ImportCase(BaseTestCase):
    kap: KapRecord
    newcomer: Client
    when: dt.datetime

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.kap = kap_record(cls.therapist, cls.therapist2, cls.prescriber, cls.partner)
        cls.newcomer = make_client(
            first_name="Ada", last_name="Newcomb", assigned_therapist=cls.therapist
        )
        cls.when = (timezone.now() - dt.timedelta(days=30)).replace(microsecond=0)

    def browser_as(self, user: User) -> Browser:
        browser = Browser()
        browser.force_login(user)
        return browser

    def upload(self, data: bytes) -> SimpleUploadedFile:
        return SimpleUploadedFile("bundle.json", data, content_type="application/json")

    def preview(
        self, data: bytes, user: User | None = None, browser: Browser | None = None
    ) -> Any:
        browser = browser or self.browser_as(user or self.therapist)
        url = reverse("interop:client_import", args=[self.newcomer.pk])
        return browser.post(url, {"bundle": self.upload(data)})

    def confirm(self, browser: Browser, data: bytes) -> Any:
        url = reverse("interop:client_import_confirm", args=[self.newcomer.pk])
        return browser.post(url, {"bundle": self.upload(data), "confirm": "yes"})

    def imported(self, data: bytes, user: User | None = None) -> Any:
        browser = self.browser_as(user or self.therapist)
        self.assertEqual(self.preview(data, browser=browser).status_code, 200)
        return self.confirm(browser, data)

    def skipped(self, data: bytes) -> list[Skipped]:
        return importing.read_bundle(client=self.newcomer, data=data).skipped
