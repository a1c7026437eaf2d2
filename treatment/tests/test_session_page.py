from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_session
from treatment.models import SessionKind, SessionStatus, TreatmentSession

from .support import CHECK_KEYS, make_ready

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class SessionPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ready = make_ready(self.therapist, self.prescriber, self.partner)
        self.session = self.ready.session

    def page(
        self, session: TreatmentSession | None = None, user: User | None = None
    ) -> TestResponse:
        self.client.force_login(user or self.therapist)
        response = self.client.get(f"/staff/courses/sessions/{(session or self.session).pk}/")
        assert response.status_code == 200
        return response

    def items(self, response: TestResponse) -> dict[str, tuple[str, str]]:
        """Each condition's key → (mark, text) as the page shows it."""
        found = re.findall(
            r'<li data-check="(\w+)" data-ok="(true|false)">\s*'
            r'<span class="check-(?:ok|fail)" aria-hidden="true">(.)</span>'
            r'<span class="visually-hidden">(Met|Not met):</span>\s*(.*?)</li>',
            response.content.decode(),
            re.S,
        )
        return {key: (mark, f"{hidden}: {text}") for key, ok, mark, hidden, text in found}

    def test_it_lists_every_condition_met(self) -> None:
        response = self.page()

        items = self.items(response)
        assert list(items) == CHECK_KEYS
        assert all(mark == "✓" for mark, _ in items.values())
        assert "6 session(s) left." in items["prescription"][1]
        assert "Walter Skinner, confirmed" in items["escort"][1]
        assert "1 completed." in items["preparation"][1]
        self.assertContains(response, "Dosing readiness: ready to start")

    def test_it_shows_the_start_button_only_when_open(self) -> None:
        # The button starts the session and opens its dosing record in one step.
        start = f'action="/staff/dosing/open/{self.session.pk}/"'

        self.assertContains(self.page(), start, count=1)
        self.assertContains(self.page(), "Start the dosing session")

        TreatmentSession.objects.filter(pk=self.session.pk).update(escort_confirmed_at=None)
        blocked = self.page()

        self.assertNotContains(blocked, start)
        self.assertNotContains(blocked, "Start the dosing session")
        self.assertContains(blocked, "Dosing readiness: not ready")
        self.assertContains(blocked, "There is no override.")

    def test_it_marks_the_failing_condition_with_its_detail(self) -> None:
        assert self.ready.preparation is not None
        TreatmentSession.objects.filter(pk=self.ready.preparation.pk).update(
            status=SessionStatus.CANCELLED
        )

        items = self.items(self.page())

        assert items["preparation"] == (
            "✗",
            "Not met: <strong>At least one preparation session completed</strong>"
            " — No preparation session completed yet.",
        )
        assert [key for key, (mark, _) in items.items() if mark == "✗"] == ["preparation"]
        assert items["referral"][1].startswith("Met: ")

    def test_it_shows_intake_the_gate_but_no_start_button(self) -> None:
        response = self.page(user=self.intake)

        assert response.context["gate_open"] is True
        assert len(self.items(response)) == 7
        self.assertNotContains(response, "Start the dosing session")
        self.assertNotContains(response, "Confirm escort for today")
        self.assertNotContains(response, "Cancel the session")

    def test_it_has_no_gate_for_preparation_or_integration(self) -> None:
        for kind in (SessionKind.PREPARATION, SessionKind.INTEGRATION):
            with self.subTest(kind=kind):
                session = make_session(self.ready.course, kind)

                response = self.page(session)

                assert "checks" not in response.context
                self.assertNotContains(response, 'id="gate"')
                self.assertNotContains(response, "Dosing readiness")
                self.assertNotContains(response, "Escort or ride home today")
                self.assertContains(response, "Start the session")
                self.assertContains(response, "Cancel the session")

    def test_it_has_no_gate_once_the_dosing_session_started(self) -> None:
        TreatmentSession.objects.filter(pk=self.session.pk).update(
            status=SessionStatus.IN_PROGRESS,
            started_at=timezone.now(),
            started_by=self.therapist,
            prescription=self.ready.prescription,
        )

        response = self.page()

        self.assertNotContains(response, 'id="gate"')
        self.assertContains(response, "Mark the session completed")
        assert self.ready.prescription is not None
        self.ready.prescription.refresh_from_db()
        self.assertContains(
            response, f"<dt>Prescription</dt><dd>{self.ready.prescription}</dd>", html=True
        )

    def test_it_audits_the_view(self) -> None:
        self.page()

        event = AuditEvent.objects.get(action="session.view")
        assert event.actor == self.therapist
        assert event.client_id == self.ready.client.pk
        assert event.object_id == str(self.session.pk)

    def test_it_answers_404_to_another_therapist(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.client.get(f"/staff/courses/sessions/{self.session.pk}/")

        assert response.status_code == 404
        assert not AuditEvent.objects.filter(action="session.view").exists()
