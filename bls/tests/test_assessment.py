from __future__ import annotations

from typing import Any

from audit.models import AuditEvent
from bls.models import EmdrRecord
from pathways.testing import BaseTestCase

from .support import make_emdr_session

VALID = {
    "target_memory": "The crash on the bridge.",
    "image": "Headlights in the rain.",
    "negative_cognition": "I am in danger.",
    "positive_cognition": "I am safe now.",
    "voc_start": "2",
    "emotions": "Fear",
    "sud_start": "8",
    "body_location": "Chest",
}


class AssessmentTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.url = f"/staff/emdr/{self.emdr.record.pk}/assessment/"
        self.client.force_login(self.therapist)

    def post(self, **changes: Any) -> Any:
        return self.client.post(self.url, {**VALID, **changes})

    def reload(self) -> EmdrRecord:
        return EmdrRecord.objects.get(pk=self.emdr.record.pk)

    def test_it_saves_the_assessment_and_audits_field_names_only(self) -> None:
        response = self.post()

        self.assertRedirects(
            response,
            f"/staff/emdr/{self.emdr.record.pk}/#assessment",
            fetch_redirect_response=False,
        )
        record = self.reload()
        assert record.target_memory == "The crash on the bridge."
        assert (record.voc_start, record.sud_start) == (2, 8)
        assert record.body_location == "Chest"
        event = AuditEvent.objects.get(action="emdr.assessment_save")
        assert sorted(event.detail["fields"]) == sorted(VALID)
        assert "bridge" not in str(event.detail)

    def test_it_accepts_the_ends_of_the_ranges(self) -> None:
        for voc, sud in (("1", "0"), ("7", "10")):
            self.post(voc_start=voc, sud_start=sud)
            assert (self.reload().voc_start, self.reload().sud_start) == (int(voc), int(sud))

    def test_it_puts_an_out_of_range_sud_beside_the_field_and_keeps_what_was_typed(self) -> None:
        for bad in ("11", "-1"):
            response = self.post(sud_start=bad)

            assert response.status_code == 200
            self.assertContains(
                response,
                '<p class="error" id="id_sud_start_error">SUD is from 0 to 10.</p>',
                html=True,
            )
            self.assertContains(response, f'value="{bad}"')
            self.assertContains(response, "The crash on the bridge.")
            self.assertContains(response, 'aria-invalid="true"')
        assert self.reload().sud_start is None
        assert self.reload().target_memory == ""

    def test_it_puts_an_out_of_range_voc_beside_the_field(self) -> None:
        for bad in ("0", "8"):
            response = self.post(voc_start=bad)

            self.assertContains(
                response,
                '<p class="error" id="id_voc_start_error">VOC is from 1 to 7.</p>',
                html=True,
            )
            self.assertContains(response, f'value="{bad}"')
        assert self.reload().voc_start is None

    def test_it_answers_a_word_for_a_number_with_a_field_error(self) -> None:
        response = self.post(sud_start="lots", voc_start="2.5")

        assert response.status_code == 200
        self.assertContains(response, "Enter a whole number from 0 to 10.")
        self.assertContains(response, "Enter a whole number from 1 to 7.")
        self.assertContains(response, 'value="lots"')

    def test_it_saves_a_partial_assessment(self) -> None:
        self.client.post(self.url, {"target_memory": "The crash.", "sud_start": "7"})

        record = self.reload()
        assert record.target_memory == "The crash."
        assert record.sud_start == 7
        assert record.voc_start is None

    def test_it_refuses_the_intake_coordinator(self) -> None:
        self.client.force_login(self.intake)

        assert self.post().status_code == 403
        assert self.reload().target_memory == ""


class ClosingTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.url = f"/staff/emdr/{self.emdr.record.pk}/closing/"
        self.client.force_login(self.therapist)

    def test_it_saves_installation_body_scan_closure_and_the_end_scores(self) -> None:
        data = {
            "installation_voc": "6",
            "body_scan": "Clear.",
            "closure": "complete",
            "sud_end": "0",
            "voc_end": "7",
        }

        response = self.client.post(self.url, data)

        assert response.status_code == 302
        record = EmdrRecord.objects.get(pk=self.emdr.record.pk)
        assert record.installation_voc == 6
        assert record.body_scan == "Clear."
        assert record.closure == EmdrRecord.Closure.COMPLETE
        assert (record.sud_end, record.voc_end) == (0, 7)
        event = AuditEvent.objects.get(action="emdr.closing_save")
        assert set(event.detail["fields"]) == set(data)

    def test_it_puts_bad_values_beside_their_fields(self) -> None:
        data = {"installation_voc": "9", "closure": "maybe", "sud_end": "12", "voc_end": "0"}

        response = self.client.post(self.url, data)

        assert response.status_code == 200
        for name in ("installation_voc", "closure", "sud_end", "voc_end"):
            self.assertContains(response, f'id="id_{name}_error"')
        self.assertContains(response, 'value="12"')
        record = EmdrRecord.objects.get(pk=self.emdr.record.pk)
        assert (record.installation_voc, record.closure, record.sud_end) == (None, "", None)
