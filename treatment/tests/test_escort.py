from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from pathways.testing import BaseTestCase
from treatment.gate import dosing_readiness
from treatment.models import SessionStatus, TreatmentSession

from .support import make_ready

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

VALID = {"escort_name": "Margaret Scully", "escort_phone": "(555) 010-0161", "confirmed": "on"}


class EscortTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ready = make_ready(self.therapist, self.prescriber, self.partner, escort=False)
        self.session = self.ready.session
        self.url = f"/staff/courses/sessions/{self.session.pk}/escort/"

    def confirm(self, user: User | None = None, /, **changes: str | None) -> TestResponse:
        self.client.force_login(user or self.therapist)
        data = {**VALID, **changes}
        return self.client.post(self.url, {k: v for k, v in data.items() if v is not None})

    def escort_ok(self, today: dt.date | None = None) -> bool:
        session = TreatmentSession.objects.get(pk=self.session.pk)
        checks, _ = dosing_readiness(session, today)
        return next(c for c in checks if c.key == "escort").ok

    def test_it_confirms_the_escort_for_today(self) -> None:
        assert not self.escort_ok()

        response = self.confirm()

        self.assertRedirects(response, f"/staff/courses/sessions/{self.session.pk}/")
        self.session.refresh_from_db()
        assert self.session.escort_name == "Margaret Scully"
        assert self.session.escort_phone == "(555) 010-0161"
        assert self.session.escort_confirmed_by == self.therapist
        assert timezone.localdate(self.session.escort_confirmed_at) == timezone.localdate()
        assert self.escort_ok()

    def test_it_says_so_and_opens_the_gate(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(self.url, VALID, follow=True)

        self.assertContains(response, "Escort confirmed for today.")
        assert response.context["gate_open"] is True
        self.assertContains(response, "Start the dosing session")

    def test_it_audits_the_confirmation_without_the_name(self) -> None:
        self.confirm()

        event = AuditEvent.objects.get(action="session.escort_confirm")
        assert event.actor == self.therapist
        assert event.client_id == self.ready.client.pk
        assert event.object_id == str(self.session.pk)
        assert "Scully" not in str(event.detail)
        assert "0161" not in str(event.detail)

    def test_it_needs_the_confirmation_box_ticked(self) -> None:
        response = self.confirm(confirmed=None)

        assert response.status_code == 200
        assert set(response.context["escort_form"].errors) == {"confirmed"}
        self.assertContains(response, "Confirm that the escort is arranged for today.")
        self.assertContains(response, 'value="Margaret Scully"')
        self.assertContains(response, 'value="(555) 010-0161"')
        self.session.refresh_from_db()
        assert self.session.escort_confirmed_at is None
        assert self.session.escort_name == ""
        assert not AuditEvent.objects.filter(action="session.escort_confirm").exists()

    def test_it_needs_a_name_and_a_real_phone(self) -> None:
        for changes, field, message in (
            ({"escort_name": ""}, "escort_name", "This field is required."),
            ({"escort_phone": ""}, "escort_phone", "This field is required."),
            ({"escort_phone": "555-01"}, "escort_phone", "Enter a phone number with area code."),
            (
                {"escort_phone": "1234567890123456"},
                "escort_phone",
                "Enter a phone number with area code.",
            ),
        ):
            with self.subTest(changes=changes):
                response = self.confirm(**changes)

                assert response.status_code == 200
                assert set(response.context["escort_form"].errors) == {field}
                self.assertContains(response, message)
        self.session.refresh_from_db()
        assert self.session.escort_confirmed_at is None

    def test_it_holds_for_today_only(self) -> None:
        self.confirm()
        tomorrow = timezone.localdate() + dt.timedelta(days=1)

        assert self.escort_ok()
        assert not self.escort_ok(today=tomorrow)

    def test_it_needs_confirming_again_on_the_next_day(self) -> None:
        self.confirm()
        TreatmentSession.objects.filter(pk=self.session.pk).update(
            escort_confirmed_at=timezone.now() - dt.timedelta(days=1)
        )
        assert not self.escort_ok()

        self.confirm()

        assert self.escort_ok()

    def test_it_offers_the_clients_usual_escort(self) -> None:
        client = self.ready.client
        client.escort_name = "Bill Scully"
        client.escort_phone = "(555) 010-0171"
        client.save()
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/courses/sessions/{self.session.pk}/")

        form = response.context["escort_form"]
        assert form.initial == {"escort_name": "Bill Scully", "escort_phone": "(555) 010-0171"}

    def test_it_refuses_intake_and_another_therapist(self) -> None:
        assert self.confirm(self.intake).status_code == 403
        assert self.confirm(self.therapist2).status_code == 404
        self.session.refresh_from_db()
        assert self.session.escort_confirmed_at is None

    def test_it_does_not_rewrite_the_escort_of_a_started_session(self) -> None:
        confirmed_at = timezone.now() - dt.timedelta(hours=3)
        TreatmentSession.objects.filter(pk=self.session.pk).update(
            status=SessionStatus.IN_PROGRESS,
            started_at=timezone.now() - dt.timedelta(hours=2),
            escort_name="Walter Skinner",
            escort_phone="(555) 010-0150",
            escort_confirmed_at=confirmed_at,
        )

        self.confirm(escort_name="Someone Else")

        self.session.refresh_from_db()
        assert self.session.escort_name == "Walter Skinner"
        assert self.session.escort_confirmed_at == confirmed_at
