"""Where the dose fell against the EMDR phases (issue 8 §7): expected during
desensitisation (phase 4), after the memory was activated (Topel & Ciccone 2025)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from bls import queries
from bls.models import Phase
from bls.timing import DosePosition, DoseTiming, Level, dose_timing
from dosing.models import Administration
from pathways.testing import BaseTestCase

from .support import give, make_emdr_session, mark


class DoseTimingBase(BaseTestCase):
    """A KA-EMDR session in progress: marks and doses at minutes from its start."""

    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record

    def at(self, minutes: int) -> dt.datetime:
        return self.emdr.start + dt.timedelta(minutes=minutes)

    def hm(self, minutes: int) -> str:
        return f"{timezone.localtime(self.at(minutes)):%H:%M}"

    def mark(self, phase: int, minutes: int) -> None:
        mark(self.record, phase, self.at(minutes), self.therapist)

    def give(self, minutes: int, kind: str = Administration.Kind.DOSE) -> None:
        give(self.emdr.session, self.therapist, self.at(minutes), kind)

    def timing(self) -> DoseTiming:
        dose = queries.dose_administration(self.record)
        found = dose_timing(
            dose_at=dose.given_at if dose else None, marks=list(self.record.phase_marks.all())
        )
        assert found is not None
        return found


class DoseTimingTestCase(DoseTimingBase):
    def test_it_says_nothing_without_a_dose(self) -> None:
        self.mark(Phase.PREPARATION, 5)

        assert dose_timing(dose_at=None, marks=list(self.record.phase_marks.all())) is None

    def test_it_flags_a_dose_when_no_phase_is_marked(self) -> None:
        self.give(10)

        found = self.timing()

        assert found.position == DosePosition.NO_MARKS
        assert found.flagged
        assert found.note.startswith("No EMDR phase is marked")
        assert found.line == (
            f"Dose at {self.hm(10)}; no EMDR phase is marked, so where it fell is not known."
        )

    def test_it_flags_a_dose_given_before_the_assessment(self) -> None:
        self.mark(Phase.PREPARATION, 5)
        self.give(10)
        self.mark(Phase.ASSESSMENT, 15)

        found = self.timing()

        assert found.position == DosePosition.BEFORE_ASSESSMENT
        assert found.flagged
        assert found.note.startswith("Dose given before the target memory was activated")
        assert found.line == (
            f"Dose at {self.hm(10)}, before the assessment, during phase 2 Preparation "
            f"(phase 3 marked {self.hm(15)}, 5 min later)."
        )

    def test_it_flags_a_dose_given_before_the_first_mark(self) -> None:
        self.give(10)
        self.mark(Phase.HISTORY, 12)

        found = self.timing()

        assert (found.position, found.phase) == (DosePosition.BEFORE_ASSESSMENT, None)
        assert found.line == (
            f"Dose at {self.hm(10)}, before the assessment (phase 3 not marked after it)."
        )

    def test_it_notes_softly_a_dose_after_the_assessment_before_desensitisation(self) -> None:
        self.mark(Phase.ASSESSMENT, 15)
        self.give(20)
        self.mark(Phase.DESENSITISATION, 24)

        found = self.timing()

        assert found.position == DosePosition.BEFORE_DESENSITISATION
        assert found.level == Level.NOTE
        assert not found.flagged
        assert "before desensitisation was marked" in found.note
        assert found.line == (
            f"Dose at {self.hm(20)}, 5 min after the assessment began "
            f"(phase 3 marked {self.hm(15)}), before desensitisation "
            f"(phase 4 marked {self.hm(24)}, 4 min later)."
        )

    def test_it_expects_the_dose_during_desensitisation(self) -> None:
        self.mark(Phase.ASSESSMENT, 15)
        self.mark(Phase.DESENSITISATION, 20)
        self.give(26)

        found = self.timing()

        assert found.position == DosePosition.DURING_DESENSITISATION
        assert (found.level, found.note, found.flagged) == (Level.EXPECTED, "", False)
        assert found.line == (
            f"Dose at {self.hm(26)}, 6 min into desensitisation (phase 4 marked {self.hm(20)})."
        )

    def test_it_counts_a_dose_at_the_minute_phase_4_was_marked_as_during(self) -> None:
        self.mark(Phase.ASSESSMENT, 15)
        self.mark(Phase.DESENSITISATION, 20)
        self.give(20)

        assert self.timing().position == DosePosition.DURING_DESENSITISATION

    def test_it_flags_a_dose_given_after_desensitisation_ended(self) -> None:
        self.mark(Phase.ASSESSMENT, 15)
        self.mark(Phase.DESENSITISATION, 20)
        self.mark(Phase.INSTALLATION, 40)
        self.give(45)

        found = self.timing()

        assert found.position == DosePosition.AFTER_DESENSITISATION
        assert found.flagged
        assert found.note.startswith("Dose given after desensitisation ended")
        assert found.line == (
            f"Dose at {self.hm(45)}, after desensitisation, 5 min into phase 5 Installation "
            f"(marked {self.hm(40)})."
        )

    def test_it_goes_by_the_phase_the_session_was_in_after_a_step_back(self) -> None:
        self.mark(Phase.ASSESSMENT, 15)
        self.mark(Phase.DESENSITISATION, 20)
        self.mark(Phase.ASSESSMENT, 30)  # a new target, or a correction
        self.give(35)

        assert self.timing().position == DosePosition.BEFORE_DESENSITISATION

    def test_it_ignores_a_booster(self) -> None:
        self.mark(Phase.ASSESSMENT, 15)
        self.mark(Phase.DESENSITISATION, 18)
        self.give(20)
        self.mark(Phase.INSTALLATION, 45)
        self.give(50, Administration.Kind.BOOSTER)

        assert self.timing().position == DosePosition.DURING_DESENSITISATION


class DoseTimingPageTestCase(DoseTimingBase):
    def page(self) -> str:
        self.client.force_login(self.therapist)
        response = self.client.get(f"/staff/emdr/{self.record.pk}/")
        assert response.status_code == 200
        return response.content.decode()

    def strip_item(self, html: str, phase: int) -> str:
        found = re.search(rf'<li data-phase="{phase}"[^>]*>(.*?)</li>', html, re.S)
        assert found is not None
        return found.group(1)

    def test_it_shows_where_the_dose_fell_in_words_and_on_the_phase_strip(self) -> None:
        self.mark(Phase.ASSESSMENT, 15)
        self.mark(Phase.DESENSITISATION, 20)
        self.give(26)

        html = self.page()

        self.assertInHTML(
            "<strong>Where the dose fell:</strong> "
            f"Dose at {self.hm(26)}, 6 min into desensitisation (phase 4 marked {self.hm(20)}).",
            html,
        )
        assert 'id="phase-dose"' in self.strip_item(html, 4)
        assert f">{self.hm(26)}</time>" in self.strip_item(html, 4)
        assert 'id="phase-dose"' not in self.strip_item(html, 3)
        # As the protocol expects: no flag.
        assert 'id="dose-note"' not in html
        assert "Dose timing:" not in html

    def test_it_flags_the_dose_on_the_page_without_blocking_anything(self) -> None:
        self.give(10)
        url = f"/staff/emdr/{self.record.pk}/"

        html = self.page()

        assert 'id="dose-note" data-level="flag"' in html
        assert "<strong>Dose timing:</strong> No EMDR phase is marked" in html
        # Before any mark: the strip says so above the phases.
        assert "before any phase was marked." in html
        # Not a block: the phases can still be marked.
        assert self.client.post(f"{url}phase/", {"phase": "3"}).status_code == 302
        html = self.page()
        assert "<strong>Dose timing:</strong> Dose given before the target memory" in html
        assert 'data-position="before_assessment"' in html

    def test_it_puts_a_dose_after_the_assessment_as_a_note_not_a_flag(self) -> None:
        self.mark(Phase.ASSESSMENT, 15)
        self.give(20)

        html = self.page()

        assert 'id="dose-note" data-level="note"' in html
        assert "<strong>For information:</strong> Dose given after the target memory" in html
        assert "Dose timing:" not in html
        assert 'id="phase-dose"' in self.strip_item(html, 3)
        # The facts list still says which phase the dose was given in.
        assert "during phase 3 Assessment" in html
