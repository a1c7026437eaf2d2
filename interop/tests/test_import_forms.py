"""Import from a FHIR file that carries a measure as a QuestionnaireResponse alone, or
answers as LOINC answer codes, or dates that FHIR allows to stop at the month; and
the mark that an imported score came from a previous provider."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from interop import importing
from interop.bundle import client_bundle
from interop.tests.import_support import (
    ANSWER_CODES,
    LOINC,
    ImportCase,
    bundle,
    gad7_in_file,
    loinc_form,
    phq9,
)
from measures.models import Response, Source


class ImportFormsTestCase(ImportCase):
    def at(self, days: int = 0) -> str:
        return (self.when - dt.timedelta(days=days)).isoformat()

    def test_it_imports_a_phq9_sent_as_a_loinc_form_with_answer_codes(self) -> None:
        scores = {str(n): 0 for n in range(1, 10)} | {"1": 3, "2": 2, "5": 1}

        plan = importing.read_bundle(
            client=self.newcomer, data=bundle(loinc_form(self.at(), scores))
        )

        self.assertEqual(plan.skipped, [])
        (found,) = plan.measures
        self.assertEqual((found.instrument.code, found.total), ("phq9", 6))
        self.assertEqual(found.answers, scores)
        self.assertEqual(found.file_total, 6)
        self.assertEqual(found.answered_at, self.when)

    def test_it_imports_a_form_tied_to_a_questionnaire_in_the_file(self) -> None:
        scores = {str(n): n % 4 for n in range(1, 8)}

        plan = importing.read_bundle(
            client=self.newcomer, data=bundle(*gad7_in_file(self.at(2), scores))
        )

        (found,) = plan.measures
        self.assertEqual((found.instrument.code, found.answers), ("gad7", scores))
        self.assertEqual(found.total, sum(scores.values()))
        self.assertIn("Questionnaire ×1", [s.what for s in plan.skipped])

    def test_it_reads_a_measure_once_when_the_file_gives_both_shapes(self) -> None:
        exported = client_bundle(client=self.kap.client).model_dump_json().encode()
        stored = Response.objects.filter(client=self.kap.client).count()

        plan = importing.read_bundle(client=self.newcomer, data=exported)

        self.assertEqual(len(plan.measures), stored)
        twice = next(s for s in plan.skipped if s.what.startswith("QuestionnaireResponse ×"))
        self.assertEqual(twice.what, f"QuestionnaireResponse ×{stored}")
        self.assertIn("read once", twice.reason)

    def test_it_tries_the_form_when_the_panel_beside_it_cannot_be_read(self) -> None:
        scores = {str(n): 0 for n in range(1, 10)} | {"3": 2}
        broken = phq9(self.when, q3=7)  # out of range in the panel

        plan = importing.read_bundle(
            client=self.newcomer, data=bundle(*broken, loinc_form(self.at(), scores))
        )

        self.assertEqual([m.source_id for m in plan.measures], ["QuestionnaireResponse lhc"])
        self.assertIn("out of range", " ".join(s.reason for s in plan.skipped))

    def test_it_reads_a_panels_items_given_as_loinc_answer_codes(self) -> None:
        panel, total = phq9(self.when, total=4)
        for component, code in zip(panel["component"], ANSWER_CODES * 3, strict=False):
            del component["valueInteger"]
            component["valueCodeableConcept"] = {"coding": [{"system": LOINC, "code": code}]}

        plan = importing.read_bundle(client=self.newcomer, data=bundle(panel, total))

        (found,) = plan.measures
        self.assertEqual(
            found.answers,
            {"1": 0, "2": 1, "3": 2, "4": 3, "5": 0} | {"6": 1, "7": 2, "8": 3, "9": 0},
        )

    def test_it_names_each_form_it_cannot_read_with_the_reason(self) -> None:
        scores = {str(n): 0 for n in range(1, 10)}
        unknown_code = loinc_form(self.at(), scores)
        unknown_code["item"][0]["answer"] = [
            {"valueCoding": {"system": LOINC, "code": "LA9999-9", "display": "Nearly every day"}}
        ]
        stray = loinc_form(self.at(1), scores)
        stray["item"].append({"linkId": "/99999-9", "answer": [{"valueInteger": 1}]})
        cases = {
            "code (LA9999-9) that is not one of its answers": unknown_code,
            "dated 2024-05 only, without the day": loinc_form("2024-05", scores),
            "its status is in-progress": loinc_form(self.at(), scores, status="in-progress"),
            "linkId /99999-9) is not one of its items": stray,
            "not one of our instruments": {
                **loinc_form(self.at(), scores),
                "questionnaire": "https://ehr.example.org/Questionnaire/moca",
            },
            "items missing (9)": {
                **loinc_form(self.at(), scores),
                "item": loinc_form(self.at(), scores)["item"][:8],
            },
        }
        for reason, form in cases.items():
            with self.subTest(reason=reason):
                plan = importing.read_bundle(client=self.newcomer, data=bundle(form))

                self.assertEqual(plan.measures, [])
                self.assertIn(reason, " ".join(s.reason for s in plan.skipped))

    def test_it_imports_a_form_without_a_difficulty_answer_it_cannot_read(self) -> None:
        # PHQ-9's difficulty question is not scored, and our file has no verified LOINC
        # answer codes for it: the measure still imports, and the preview says so.
        scores = {str(n): 0 for n in range(1, 10)} | {"4": 2}
        form = loinc_form(self.at(), scores)
        form["item"].append(
            {
                "linkId": "/69722-7",
                "answer": [{"valueCoding": {"system": LOINC, "code": "LA6572-7"}}],
            }
        )
        panel, total = phq9(self.when - dt.timedelta(days=7), key="p", total=2, q4=2)
        panel["component"].append(
            {
                "code": {"coding": [{"system": LOINC, "code": "69722-7"}]},
                "valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA6572-7"}]},
            }
        )

        plan = importing.read_bundle(client=self.newcomer, data=bundle(form, panel, total))

        self.assertEqual([m.answers for m in plan.measures], [scores, scores])
        notes = [s for s in plan.skipped if "difficulty" in s.reason or "LA6572-7" in s.reason]
        self.assertEqual(
            [s.what for s in notes], ["Observation p-panel", "QuestionnaireResponse lhc"]
        )
        self.assertTrue(all("Imported without it" in s.reason for s in notes))

    def test_it_takes_a_code_without_a_system_as_the_score_only_from_our_own_form(self) -> None:
        # Another system may number its answers from 1: "1" there is "Not at all" (0).
        scores = {str(n): 1 for n in range(1, 10)}
        theirs = loinc_form(self.at(), scores)
        for item in theirs["item"][:9]:
            item["answer"] = [{"valueCoding": {"code": "1", "display": "Several days"}}]

        plan = importing.read_bundle(client=self.newcomer, data=bundle(theirs))

        self.assertEqual(plan.measures, [])
        self.assertIn("(1) that is not one of its answers", plan.skipped[0].reason)

    def test_it_reads_a_pathways_form_of_an_instrument_without_loinc_codes(self) -> None:
        # PCL-5 has no verified LOINC code: from another Pathways installation's export its
        # form names our own Questionnaire, and its answers are codes that are the score.
        answers = {str(n): n % 5 for n in range(1, 21)}
        form = {
            "resourceType": "QuestionnaireResponse",
            "id": "measure-response-77",
            "questionnaire": "https://other.example/fhir/R4/Questionnaire/instrument-pcl5|1",
            "status": "completed",
            "authored": self.at(3),
            "item": [
                {"linkId": k, "answer": [{"valueCoding": {"code": str(v)}}]}
                for k, v in answers.items()
            ],
        }

        plan = importing.read_bundle(client=self.newcomer, data=bundle(form))

        (found,) = plan.measures
        self.assertEqual((found.instrument.code, found.answers), ("pcl5", answers))

    def test_it_refuses_codings_that_stand_for_different_scores(self) -> None:
        panel, total = phq9(self.when - dt.timedelta(days=3), key="c", total=0)
        panel["component"][0] = {
            "code": panel["component"][0]["code"],
            "valueCodeableConcept": {
                "coding": [
                    {"system": LOINC, "code": ANSWER_CODES[0]},
                    {"system": LOINC, "code": ANSWER_CODES[3]},
                ]
            },
        }

        plan = importing.read_bundle(client=self.newcomer, data=bundle(panel, total))

        self.assertEqual(plan.measures, [])
        self.assertIn("stand for different scores", plan.skipped[0].reason)

    def test_it_reads_once_a_panel_and_the_form_it_names_seconds_apart(self) -> None:
        scores = {str(n): 0 for n in range(1, 10)} | {"2": 1}
        form = loinc_form(self.at(), scores)
        panel, total = phq9(self.when + dt.timedelta(seconds=4), key="s", total=1, q2=1)
        panel["derivedFrom"] = [{"reference": "QuestionnaireResponse/lhc"}]

        plan = importing.read_bundle(client=self.newcomer, data=bundle(form, panel, total))

        self.assertEqual([m.source_id for m in plan.measures], ["Observation s-panel"])
        self.assertIn("QuestionnaireResponse ×1", [s.what for s in plan.skipped])

    def test_it_tries_the_form_when_the_panel_beside_it_is_refused(self) -> None:
        scores = {str(n): 0 for n in range(1, 10)}
        panel, total = phq9(self.when, key="m", total=0)
        panel["component"].pop()  # item 9 missing: the panel is refused
        panel["derivedFrom"] = [{"reference": "QuestionnaireResponse/lhc"}]

        plan = importing.read_bundle(
            client=self.newcomer, data=bundle(panel, total, loinc_form(self.at(), scores))
        )

        self.assertEqual([m.source_id for m in plan.measures], ["QuestionnaireResponse lhc"])
        self.assertIn("items missing (9)", " ".join(s.reason for s in plan.skipped))

    def test_it_stores_only_a_final_result(self) -> None:
        for status in ("preliminary", "entered-in-error", "cancelled"):
            with self.subTest(status=status):
                panel, total = phq9(self.when, key=status, total=0)
                panel["status"] = status

                plan = importing.read_bundle(client=self.newcomer, data=bundle(panel, total))

                self.assertEqual(plan.measures, [])
                self.assertIn(f"its status is {status}", plan.skipped[0].reason)

    def test_it_names_the_items_by_the_version_of_the_form_answered(self) -> None:
        one, _ = gad7_in_file(self.at(), {str(n): 0 for n in range(1, 8)})
        one["version"] = "3"
        two = {**one, "id": "their-gad7-v4", "version": "4"}
        # Version 4 names its questions differently: "q1" is item 7 there.
        two["item"] = [
            {
                "linkId": "g",
                "type": "group",
                "item": [
                    {**question, "linkId": f"q{8 - int(question['linkId'][1:])}"}
                    for question in one["item"][0]["item"]
                ],
            }
        ]
        scores = {str(n): n % 4 for n in range(1, 8)}
        _, answered = gad7_in_file(self.at(), scores)  # answers version 3

        plan = importing.read_bundle(client=self.newcomer, data=bundle(one, two, answered))

        (found,) = plan.measures
        self.assertEqual(found.answers, scores)

    def test_it_names_a_panel_dated_to_the_month_only(self) -> None:
        skipped = self.skipped(bundle(*phq9("2024-05", total=None)))

        self.assertIn("dated 2024-05 only, without the day", skipped[0].reason)

    def test_it_marks_an_imported_score_as_the_previous_providers(self) -> None:
        scores = {str(n): 0 for n in range(1, 10)} | {"1": 1}

        self.imported(bundle(loinc_form(self.at(), scores)), user=self.admin)

        stored = Response.objects.get(client=self.newcomer)
        self.assertEqual((stored.source, stored.entered_by), (Source.FHIR, self.admin))
        page = self.browser_as(self.admin).get(reverse("measures:client", args=[self.newcomer.pk]))
        self.assertContains(page, "Previous provider")
        self.assertContains(page, "imported from a FHIR file by")
