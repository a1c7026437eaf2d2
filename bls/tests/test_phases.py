from __future__ import annotations

import datetime as dt
import re

from audit.models import AuditEvent
from bls.models import Phase, PhaseMark
from pathways.testing import BaseTestCase

from .support import make_emdr_session, mark


class PhaseTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record
        self.url = f"/staff/emdr/{self.record.pk}/phase/"

    def current_on_page(self) -> list[str]:
        self.client.force_login(self.therapist)
        html = self.client.get(f"/staff/emdr/{self.record.pk}/").content.decode()
        return re.findall(r'<li data-phase="(\d)" class="current" aria-current="step">', html)

    def test_it_marks_a_phase_and_audits_the_number_only(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(self.url, {"phase": "3"})

        self.assertRedirects(
            response, f"/staff/emdr/{self.record.pk}/#phases", fetch_redirect_response=False
        )
        made = PhaseMark.objects.get()
        assert made.phase == Phase.ASSESSMENT
        assert made.by == self.therapist
        event = AuditEvent.objects.get(action="emdr.phase_mark")
        assert event.detail == {"phase": 3, "mark": made.pk}
        assert event.client_id == self.emdr.client.pk

    def test_it_highlights_the_last_mark_as_the_current_phase(self) -> None:
        assert self.current_on_page() == []
        mark(self.record, 1, self.emdr.start, self.therapist)
        mark(self.record, 4, self.emdr.start + dt.timedelta(minutes=20), self.therapist)
        assert self.current_on_page() == ["4"]

        # Marking an earlier phase again is allowed; it becomes the current phase.
        self.client.post(self.url, {"phase": "2"})

        assert self.current_on_page() == ["2"]
        assert PhaseMark.objects.count() == 3

    def test_it_shows_the_eight_phases_with_a_button_each(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/emdr/{self.record.pk}/")

        for phase in Phase:
            self.assertContains(response, f'<span class="phase-name">{phase.label}</span>')
            self.assertContains(response, f'name="phase" value="{phase.value}"')

    def test_it_refuses_a_phase_outside_1_to_8_without_an_error_page(self) -> None:
        self.client.force_login(self.therapist)

        for bad in ("0", "9", "three", ""):
            response = self.client.post(self.url, {"phase": bad}, follow=True)
            assert response.status_code == 200
            self.assertContains(response, "Choose one of the 8 phases.")
        assert not PhaseMark.objects.exists()

    def test_it_refuses_the_intake_coordinator_and_another_therapist(self) -> None:
        self.client.force_login(self.intake)
        assert self.client.post(self.url, {"phase": "1"}).status_code == 403
        self.client.force_login(self.therapist2)
        assert self.client.post(self.url, {"phase": "1"}).status_code == 404
        assert not PhaseMark.objects.exists()
