"""What the form checks field by field, the services check too: each model field's range
and choices, the text lengths, the dates, and the sessions a chain has already used.
A write that skips the form (a script, another app) stores nothing it refuses."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields, replace
from decimal import Decimal
from typing import Any
from unittest import mock

from django.utils import timezone

from accounts.actor import Actor
from audit.models import AuditEvent
from pathways.testing import make_course, make_session
from prescriptions import services
from prescriptions.models import Prescription, RxStatus
from prescriptions.queries import EDITABLE_FIELDS
from prescriptions.terms import Hold, PrescriptionTerms
from prescriptions.tests.helpers import RxTestCase, rx_data, rx_terms
from treatment.models import SessionKind, SessionStatus


class TermsTests(RxTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.actor = Actor.for_user(self.prescriber)

    def write(self, **overrides: Any) -> Prescription:
        return services.prescription_write(
            actor=self.actor, referral=self.referral, terms=rx_terms(**overrides)
        )

    def assert_refused(self, field: str, words: str, **overrides: Any) -> None:
        with self.assertRaises(services.PrescriptionError) as refused:
            self.write(**overrides)
        self.assertIn(field, refused.exception.errors)
        self.assertIn(words, refused.exception.errors[field])
        self.assertFalse(Prescription.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="prescription.create").exists())

    def test_the_terms_are_the_editable_fields(self) -> None:
        assert {f.name for f in fields(PrescriptionTerms)} == set(EDITABLE_FIELDS)

    def test_it_refuses_values_outside_each_fields_range(self) -> None:
        bad: list[tuple[str, str, dict[str, Any]]] = [
            ("sessions_authorised", "greater than or equal to 1", {"sessions_authorised": 0}),
            ("sessions_authorised", "less than or equal to 50", {"sessions_authorised": 51}),
            ("weight_kg", "less than or equal to 300", {"weight_kg": Decimal(500)}),
            ("dose_mg", "decimal place", {"dose_mg": Decimal("100.25")}),
            (
                "booster_after_minutes",
                "greater than or equal to 10",
                {"booster_mg": Decimal(50), "booster_after_minutes": 5},
            ),
            ("fasting_solids_hours", "less than or equal to 24", {"fasting_solids_hours": 30}),
            ("route", "not a valid choice", {"route": "subcutaneous"}),
            ("modality", "not a valid choice", {"modality": "ketamine"}),
        ]
        for field, words, overrides in bad:
            with self.subTest(field=field, **{k: str(v) for k, v in overrides.items()}):
                self.assert_refused(field, words, **overrides)

    def test_it_refuses_notes_longer_than_the_form_allows(self) -> None:
        for name in ("holds_instructions", "fasting_instructions", "range_override_reason"):
            with self.subTest(name=name):
                self.assert_refused(name, "2000 characters or fewer", **{name: "x" * 2001})

    def test_it_refuses_a_hold_named_at_length(self) -> None:
        self.assert_refused("holds", "80 characters or fewer", holds=(Hold("x" * 81, 24),))

    def test_it_refuses_dates_out_of_order_or_already_past(self) -> None:
        today = timezone.localdate()
        self.assert_refused(
            "valid_to",
            "before the first",
            valid_from=today + dt.timedelta(days=10),
            valid_to=today + dt.timedelta(days=9),
        )
        self.assert_refused(
            "valid_to",
            "already passed",
            valid_from=today - dt.timedelta(days=30),
            valid_to=today - dt.timedelta(days=1),
        )

    def test_a_revision_authorises_at_least_the_sessions_already_used(self) -> None:
        rx = self.write()
        course = make_course(self.rx_client, self.therapist)
        for _ in range(2):
            make_session(
                course,
                SessionKind.DOSING,
                prescription=rx,
                status=SessionStatus.COMPLETED,
                started_at=timezone.now(),
            )

        with self.assertRaises(services.PrescriptionError) as refused:
            services.prescription_revise(
                actor=self.actor,
                prescription=rx,
                terms=replace(PrescriptionTerms.of(rx), sessions_authorised=1),
            )

        self.assertIn(
            "2 dosing sessions have already used", refused.exception.errors["sessions_authorised"]
        )
        rx.refresh_from_db()
        assert rx.status == RxStatus.ACTIVE
        assert Prescription.objects.count() == 1
        assert not AuditEvent.objects.filter(action="prescription.revise").exists()

    def test_a_discontinuation_reason_fits_what_the_form_allows(self) -> None:
        rx = self.write()

        with self.assertRaisesMessage(services.PrescriptionError, "2000 characters or fewer"):
            services.prescription_discontinue(actor=self.actor, prescription=rx, reason="x" * 2001)

        rx.refresh_from_db()
        assert (rx.status, rx.discontinued_reason) == (RxStatus.ACTIVE, "")

    def test_a_revision_keeps_the_versions_holds_when_only_the_dose_changes(self) -> None:
        rx = self.write(holds=(Hold("Benzodiazepines", 48), Hold("Opioids", 24)))

        new = services.prescription_revise(
            actor=self.actor,
            prescription=rx,
            terms=replace(PrescriptionTerms.of(rx), dose_mg=Decimal(90)),
        )

        assert new.holds == [
            {"medication": "Benzodiazepines", "hours": 48},
            {"medication": "Opioids", "hours": 24},
        ]
        event = AuditEvent.objects.get(action="prescription.revise")
        assert event.detail["changed"] == ["dose_mg"]


class RefusalOnThePageTests(RxTestCase):
    def test_a_refusal_the_form_did_not_catch_shows_beside_its_field(self) -> None:
        # Say the rules changed while the form was open: the service names the field.
        refusal = services.PrescriptionError("Refused.", {"dose_mg": "This dose is refused now."})
        self.client.force_login(self.prescriber)

        with mock.patch.object(services, "prescription_write", side_effect=refusal):
            response = self.client.post(
                f"/partner/prescriptions/new/{self.referral.pk}/", rx_data(dose_mg="120")
            )

        assert response.status_code == 200
        self.assertContains(response, 'id="id_dose_mg_error"')
        self.assertContains(response, "This dose is refused now.")
        self.assertContains(response, 'name="dose_mg" value="120"')
        assert not Prescription.objects.exists()
