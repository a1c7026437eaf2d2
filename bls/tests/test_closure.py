"""A closure is complete only with a body scan, SUD at end ≤ 1 and VOC at end ≥ 6;
otherwise it is incomplete, with the clinician's reason (issue 8 §7)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from django.test import override_settings

from accounts.actor import Actor
from audit.models import AuditEvent
from bls import rules, services
from bls.models import EmdrRecord
from pathways.testing import BaseTestCase

from .support import make_emdr_session

COMPLETE = {
    "installation_voc": 6,
    "body_scan": "Clear.",
    "closure": "complete",
    "closure_reason": "",
    "sud_end": 0,
    "voc_end": 7,
}
REASON = "Out of time with SUD still at 4; contained with the calm-place exercise."


class ClosureServiceTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record
        self.actor = Actor.for_user(self.therapist)

    def save(self, **changes: Any) -> list[str]:
        closing = services.Closing(**{**COMPLETE, **changes})
        return services.closing_save(actor=self.actor, record=self.record, closing=closing)

    def save_part(self, record: EmdrRecord, **changes: Any) -> list[str]:
        """Change some of the closing, the rest as the record holds it."""
        closing = replace(services.Closing.of(record), **changes)
        return services.closing_save(actor=self.actor, record=record, closing=closing)

    def refused(self, **changes: Any) -> dict[str, str]:
        with self.assertRaises(services.EmdrError) as caught:
            self.save(**changes)
        return caught.exception.errors

    def reload(self) -> EmdrRecord:
        return EmdrRecord.objects.get(pk=self.record.pk)

    def assert_nothing_saved(self) -> None:
        record = self.reload()
        assert (record.closure, record.body_scan, record.sud_end) == ("", "", None)
        assert not AuditEvent.objects.filter(action="emdr.closing_save").exists()

    def test_it_refuses_complete_without_a_body_scan(self) -> None:
        for blank in ("", "   "):
            errors = self.refused(body_scan=blank)

            assert errors["body_scan"] == "A complete closure needs the body scan written."
            assert errors["closure"].startswith("Not complete")
            assert "sud_end" not in errors
            assert "voc_end" not in errors
        self.assert_nothing_saved()

    def test_it_refuses_complete_with_sud_2_at_the_end(self) -> None:
        errors = self.refused(sud_end=2)

        assert errors["sud_end"] == "A complete closure needs SUD at end 1 or less."
        assert "closure" in errors
        self.assert_nothing_saved()

    def test_it_refuses_complete_with_voc_5_at_the_end(self) -> None:
        errors = self.refused(voc_end=5)

        assert errors["voc_end"] == "A complete closure needs VOC at end 6 or more."
        self.assert_nothing_saved()

    def test_it_refuses_complete_without_the_end_scores(self) -> None:
        errors = self.refused(sud_end=None, voc_end=None)

        assert set(errors) == {"sud_end", "voc_end", "closure"}
        self.assert_nothing_saved()

    def test_it_accepts_complete_at_sud_1_and_voc_6_with_a_body_scan(self) -> None:
        for sud, voc in ((1, 6), (0, 7)):
            self.save(sud_end=sud, voc_end=voc)

            record = self.reload()
            assert (record.closure, record.sud_end, record.voc_end) == ("complete", sud, voc)

    def test_it_needs_a_reason_for_an_incomplete_closure(self) -> None:
        for blank in ("", "  \n"):
            errors = self.refused(closure="incomplete", sud_end=4, closure_reason=blank)

            assert errors == {"closure_reason": "Give the reason the session is incomplete."}
        self.assert_nothing_saved()

    def test_it_saves_an_incomplete_closure_with_its_reason(self) -> None:
        changed = self.save(closure="incomplete", sud_end=4, voc_end=4, closure_reason=REASON)

        record = self.reload()
        assert (record.closure, record.closure_reason) == ("incomplete", REASON)
        assert (record.sud_end, record.voc_end) == (4, 4)
        event = AuditEvent.objects.get(action="emdr.closing_save")
        assert "closure_reason" in changed
        assert "closure_reason" in event.detail["fields"]
        assert "calm-place" not in str(event.detail)

    def test_it_refuses_a_reason_beside_a_complete_closure(self) -> None:
        errors = self.refused(closure_reason=REASON)

        assert errors == {
            "closure_reason": (
                "Leave this empty for a complete closure: the reason is for an incomplete one."
            )
        }
        self.assert_nothing_saved()

    def test_it_refuses_a_closure_that_is_neither(self) -> None:
        assert self.refused(closure="maybe") == {"closure": "Choose Complete or Incomplete."}

    def test_it_judges_the_record_as_it_will_be_after_the_write(self) -> None:
        self.save()

        # The end SUD rises on a complete record: refused, the record stays complete.
        with self.assertRaises(services.EmdrError) as caught:
            self.save_part(self.reload(), sud_end=3)
        assert "sud_end" in caught.exception.errors
        assert self.reload().sud_end == 0
        # Closing as complete on its own, with everything already recorded: accepted.
        record = self.reload()
        self.save_part(record, closure="")
        self.save_part(record, closure="complete")
        assert self.reload().closure == "complete"

    def test_it_leaves_an_undecided_closure_alone(self) -> None:
        self.save(closure="", sud_end=5, voc_end=3, body_scan="")

        assert (self.reload().closure, self.reload().sud_end) == ("", 5)

    @override_settings(EMDR_COMPLETE_SUD_AT_MOST=0, EMDR_COMPLETE_VOC_AT_LEAST=7)
    def test_it_takes_the_thresholds_from_the_settings(self) -> None:
        assert "sud_end" in self.refused(sud_end=1, voc_end=7)
        assert "voc_end" in self.refused(sud_end=0, voc_end=6)
        assert "SUD at end 0 or less and VOC at end 7 or more" in rules.closure_rule()


class ClosureViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record
        self.page_url = f"/staff/emdr/{self.record.pk}/"
        self.url = f"{self.page_url}closing/"
        self.client.force_login(self.therapist)

    def post(self, **changes: str) -> Any:
        data = {
            "installation_voc": "6",
            "body_scan": "Clear.",
            "closure": "complete",
            "closure_reason": "",
            "sud_end": "0",
            "voc_end": "7",
        }
        return self.client.post(self.url, {**data, **changes})

    def test_it_shows_the_rule_beside_the_closure_field(self) -> None:
        response = self.client.get(self.page_url)

        self.assertContains(
            response,
            f'<p class="help" id="id_closure_helptext">{rules.closure_rule()}</p>',
            html=True,
        )
        self.assertContains(response, "SUD at end 1 or less and VOC at end 6 or more")
        self.assertContains(response, "Why the session is incomplete")

    def test_it_puts_the_refusal_beside_the_fields_and_keeps_what_was_typed(self) -> None:
        response = self.post(sud_end="3", voc_end="5", body_scan="Tension in the chest.")

        assert response.status_code == 200
        self.assertContains(
            response,
            '<p class="error" id="id_sud_end_error">'
            "A complete closure needs SUD at end 1 or less.</p>",
            html=True,
        )
        self.assertContains(response, 'id="id_voc_end_error"')
        self.assertContains(response, 'id="id_closure_error"')
        self.assertContains(response, 'value="3"')
        self.assertContains(response, "Tension in the chest.")
        self.assertContains(response, 'aria-describedby="id_sud_end_helptext id_sud_end_error"')
        # The choice made is still chosen.
        assert re.search(r'<input[^>]*value="complete"[^>]*checked', response.content.decode())
        record = EmdrRecord.objects.get(pk=self.record.pk)
        assert (record.closure, record.sud_end, record.body_scan) == ("", None, "")

    def test_it_asks_for_the_reason_beside_its_field(self) -> None:
        response = self.post(closure="incomplete", sud_end="4")

        assert response.status_code == 200
        self.assertContains(
            response,
            '<p class="error" id="id_closure_reason_error">'
            "Give the reason the session is incomplete.</p>",
            html=True,
        )
        assert EmdrRecord.objects.get(pk=self.record.pk).closure == ""

    def test_it_saves_an_incomplete_closure_and_shows_the_reason_to_a_reader(self) -> None:
        response = self.post(closure="incomplete", sud_end="4", closure_reason=REASON)

        self.assertRedirects(response, f"{self.page_url}#closing", fetch_redirect_response=False)
        assert EmdrRecord.objects.get(pk=self.record.pk).closure_reason == REASON
        # Another clinician reads it (the intake team no longer reads EMDR records).
        self.client.force_login(self.admin)
        page = self.client.get(self.page_url)
        self.assertContains(page, REASON)
