from __future__ import annotations

import datetime as dt

from bls.models import Phase
from bls.services import DOSE_TIMING_NOTE, dose_timing_note
from dosing.models import Administration
from pathways.testing import BaseTestCase

from .support import give, make_emdr_session, mark

NOTE = (
    "Dose given before the target memory was activated "
    "(the practice's protocol doses after activation)"
)


class DoseTimingTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record

    def at(self, minutes: int) -> dt.datetime:
        return self.emdr.start + dt.timedelta(minutes=minutes)

    def test_it_says_nothing_without_a_dose(self) -> None:
        mark(self.record, Phase.PREPARATION, self.at(5), self.therapist)

        assert dose_timing_note(self.record) is None

    def test_it_flags_a_dose_given_before_the_assessment(self) -> None:
        mark(self.record, Phase.PREPARATION, self.at(5), self.therapist)
        give(self.emdr.session, self.therapist, self.at(10))
        mark(self.record, Phase.ASSESSMENT, self.at(15), self.therapist)

        assert DOSE_TIMING_NOTE == NOTE
        assert dose_timing_note(self.record) == NOTE

    def test_it_flags_a_dose_while_the_assessment_is_not_marked_yet(self) -> None:
        give(self.emdr.session, self.therapist, self.at(10))

        assert dose_timing_note(self.record) == NOTE

    def test_it_says_nothing_when_the_dose_follows_activation(self) -> None:
        mark(self.record, Phase.ASSESSMENT, self.at(15), self.therapist)
        give(self.emdr.session, self.therapist, self.at(20))

        assert dose_timing_note(self.record) is None

    def test_it_looks_at_the_first_assessment_mark(self) -> None:
        mark(self.record, Phase.ASSESSMENT, self.at(15), self.therapist)
        give(self.emdr.session, self.therapist, self.at(20))
        mark(self.record, Phase.ASSESSMENT, self.at(25), self.therapist)

        assert dose_timing_note(self.record) is None

    def test_it_ignores_a_booster(self) -> None:
        mark(self.record, Phase.ASSESSMENT, self.at(15), self.therapist)
        give(self.emdr.session, self.therapist, self.at(20))
        give(self.emdr.session, self.therapist, self.at(50), Administration.Kind.BOOSTER)

        assert dose_timing_note(self.record) is None

    def test_it_shows_the_note_on_the_record_page_without_blocking_anything(self) -> None:
        give(self.emdr.session, self.therapist, self.at(10))
        self.client.force_login(self.therapist)
        url = f"/staff/emdr/{self.record.pk}/"

        response = self.client.get(url)

        self.assertContains(response, f"<strong>Dose timing:</strong> {NOTE}.", html=True)
        # Not a block: the phases can still be marked.
        assert self.client.post(f"{url}phase/", {"phase": "3"}).status_code == 302
        # Still true after the mark: the dose came first.
        self.assertContains(self.client.get(url), 'id="dose-note"')

    def test_it_shows_which_phase_the_dose_fell_in(self) -> None:
        mark(self.record, Phase.ASSESSMENT, self.at(15), self.therapist)
        give(self.emdr.session, self.therapist, self.at(20))
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/emdr/{self.record.pk}/")

        self.assertContains(response, "during phase 3 Assessment")
        self.assertNotContains(response, "Dose timing:")
