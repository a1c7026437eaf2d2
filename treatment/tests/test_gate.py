"""The dosing readiness gate: each condition, alone, closes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from unittest import mock

import pytest
from django.utils import timezone

from clients.models import Client
from consents.models import ConsentKind, ConsentRevocation, SignedConsent
from partners.models import Referral, ReferralStatus
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_prescription,
    make_referral,
    make_session,
    make_signed_consent,
)
from prescriptions.models import RxStatus
from treatment.gate import Check, dosing_readiness
from treatment.models import Modality, SessionKind, SessionStatus, TreatmentSession

from .support import CHECK_KEYS, local_datetime, make_ready


class DosingGateTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ready = make_ready(self.therapist, self.prescriber, self.partner)
        self.today = timezone.localdate()

    def checks(self, today: dt.date | None = None) -> dict[str, Check]:
        # A fresh session each time, as a request would load it.
        session = TreatmentSession.objects.select_related("course__client").get(
            pk=self.ready.session.pk
        )
        checks, self.rx = dosing_readiness(session, today)
        assert [c.key for c in checks] == CHECK_KEYS
        return {c.key: c for c in checks}

    def assert_fails_only(self, *keys: str, today: dt.date | None = None) -> dict[str, Check]:
        checks = self.checks(today)
        failing = {key for key, check in checks.items() if not check.ok}
        assert failing == set(keys), {key: check.detail for key, check in checks.items()}
        return checks

    def revoke(self, consent: SignedConsent | None) -> None:
        assert consent is not None
        ConsentRevocation.objects.create(
            consent=consent, recorded_by=self.therapist, reason="Client asked."
        )

    # --- All met ----------------------------------------------------------

    def test_it_opens_when_every_condition_holds(self) -> None:
        checks = self.assert_fails_only()

        assert self.ready.prescription is not None
        assert self.rx == self.ready.prescription
        assert checks["referral"].detail == "Eligible: Blue Ridge Psychiatry referral."
        assert checks["prescription"].detail == (
            f"Ketamine 100.0 mg Sublingual rapid-dissolve tablet or troche (v1) valid to "
            f"{self.ready.prescription.valid_to:%Y-%m-%d}; 6 session(s) left."
        )
        assert checks["consent"].label == "Signed KAP informed consent, not revoked"
        assert checks["consent"].detail.startswith("Signed ")
        assert checks["release"].detail.startswith("Signed ")
        confirmed = timezone.localtime(self.ready.session.escort_confirmed_at)
        assert checks["escort"].detail == f"Walter Skinner, confirmed {confirmed:%H:%M}."
        assert checks["safety"].detail == "No unacknowledged safety alerts."
        assert checks["preparation"].detail == "1 completed."

    def test_it_labels_every_condition(self) -> None:
        labels = {key: check.label for key, check in self.checks().items()}

        assert labels == {
            "referral": "The partner's evaluation found the client eligible",
            "prescription": (
                "An active prescription, valid today, for this modality, "
                "with authorised sessions left"
            ),
            "consent": "Signed KAP informed consent, not revoked",
            "release": "A signed release of information to the partner",
            "escort": "An escort or ride is confirmed for today",
            "safety": "No unacknowledged safety alert",
            "preparation": "At least one preparation session completed",
        }

    # --- Referral ---------------------------------------------------------

    def test_it_needs_an_eligible_evaluation(self) -> None:
        for status in ReferralStatus.values:
            if status == ReferralStatus.ELIGIBLE:
                continue
            with self.subTest(status=status):
                assert self.ready.referral is not None
                Referral.objects.filter(pk=self.ready.referral.pk).update(status=status)

                # The prescription names its referral: the gate judges that one
                # (and its release, still in force, passes).
                checks = self.assert_fails_only("referral")

                label = ReferralStatus(status).label
                assert checks["referral"].detail == f"The {self.partner} referral is “{label}”."

    def test_it_needs_a_referral_at_all(self) -> None:
        bare = make_ready(
            self.therapist,
            self.prescriber,
            self.partner,
            client=make_client(first_name="Fox", assigned_therapist=self.therapist),
            referral=False,
        )
        self.ready = bare

        # With no referral there is no prescription either (it is written on one).
        checks = self.assert_fails_only("referral", "prescription", "release")

        assert checks["prescription"].detail == "No prescription from the partner prescriber yet."
        assert self.rx is None

    def test_it_finds_the_eligible_referral_beside_a_newer_open_one(self) -> None:
        make_referral(self.ready.client, self.partner2, self.therapist, status=ReferralStatus.SENT)

        self.assert_fails_only()

    # --- Prescription -----------------------------------------------------

    def test_it_refuses_a_discontinued_prescription(self) -> None:
        rx = self.ready.prescription
        assert rx is not None
        rx.status = RxStatus.DISCONTINUED
        rx.discontinued_at = timezone.now()
        rx.discontinued_by = self.prescriber
        rx.save()

        checks = self.assert_fails_only("prescription")

        assert checks["prescription"].detail == (
            # The practice's day, not UTC's: they differ for hours every evening.
            f"The prescription was discontinued on "
            f"{timezone.localtime(rx.discontinued_at):%Y-%m-%d}."
        )
        assert self.rx is None

    def test_it_refuses_an_expired_prescription(self) -> None:
        rx = self.ready.prescription
        assert rx is not None
        rx.valid_from = self.today - dt.timedelta(days=90)
        rx.valid_to = self.today - dt.timedelta(days=1)
        rx.save()

        checks = self.assert_fails_only("prescription")

        assert checks["prescription"].detail == (
            f"No prescription is valid today ({self.today:%Y-%m-%d})."
        )

    def test_it_refuses_a_prescription_not_yet_valid(self) -> None:
        rx = self.ready.prescription
        assert rx is not None
        rx.valid_from = self.today + dt.timedelta(days=1)
        rx.save()

        checks = self.assert_fails_only("prescription")

        assert "No prescription is valid today" in checks["prescription"].detail

    def test_it_accepts_a_prescription_on_its_first_and_last_day(self) -> None:
        rx = self.ready.prescription
        assert rx is not None
        rx.valid_from = rx.valid_to = self.today
        rx.save()

        self.assert_fails_only()

    def test_it_refuses_when_every_authorised_session_is_used(self) -> None:
        rx = self.ready.prescription
        assert rx is not None
        rx.sessions_authorised = 2
        rx.save()
        for _ in range(2):
            make_session(
                self.ready.course,
                SessionKind.DOSING,
                status=SessionStatus.COMPLETED,
                started_at=timezone.now() - dt.timedelta(days=14),
                prescription=rx,
            )

        checks = self.assert_fails_only("prescription")

        assert checks["prescription"].detail == (
            "All 2 authorised dosing sessions have been used."
        )
        assert self.rx is None

    def test_it_counts_sessions_used_across_the_prescription_versions(self) -> None:
        v1 = self.ready.prescription
        assert v1 is not None
        assert self.ready.referral is not None
        v1.sessions_authorised = 2
        v1.status = RxStatus.SUPERSEDED
        v1.save()
        make_session(
            self.ready.course,
            SessionKind.DOSING,
            status=SessionStatus.COMPLETED,
            started_at=timezone.now() - dt.timedelta(days=14),
            prescription=v1,
        )
        v2 = make_prescription(
            self.ready.referral, self.prescriber, chain=v1, version=2, sessions_authorised=2
        )

        checks = self.assert_fails_only()

        assert self.rx == v2
        assert checks["prescription"].detail.endswith(
            f"(v2) valid to {v2.valid_to:%Y-%m-%d}; 1 session(s) left."
        )

    def test_it_refuses_a_superseded_prescription_alone(self) -> None:
        rx = self.ready.prescription
        assert rx is not None
        rx.status = RxStatus.SUPERSEDED
        rx.save()

        self.assert_fails_only("prescription")

    def test_it_gives_the_discontinuation_date_in_the_practice_time_zone(self) -> None:
        rx = self.ready.prescription
        assert rx is not None
        yesterday = self.today - dt.timedelta(days=1)
        # A moment of yesterday, in the practice, that is another day in UTC.
        moments = (local_datetime(yesterday, hour, 30) for hour in range(24))
        moment = next((m for m in moments if m.astimezone(dt.UTC).date() != yesterday), None)
        if moment is None:
            pytest.skip("the practice keeps UTC")
        rx.status = RxStatus.DISCONTINUED
        rx.discontinued_at = moment
        rx.discontinued_by = self.prescriber
        rx.save()

        checks = self.assert_fails_only("prescription")

        assert checks["prescription"].detail == (
            f"The prescription was discontinued on {yesterday:%Y-%m-%d}."
        )

    # --- Consent ----------------------------------------------------------

    def test_it_needs_the_signed_consent(self) -> None:
        self.ready = make_ready(
            self.therapist,
            self.prescriber,
            self.partner,
            client=make_client(first_name="Fox", assigned_therapist=self.therapist),
            consent=False,
        )

        checks = self.assert_fails_only("consent")

        assert checks["consent"].detail == "Not signed, or revoked."

    def test_it_refuses_a_revoked_consent(self) -> None:
        self.revoke(self.ready.consent)

        checks = self.assert_fails_only("consent")

        assert checks["consent"].detail == "Not signed, or revoked."

    def test_it_accepts_a_consent_signed_again_after_a_revocation(self) -> None:
        self.revoke(self.ready.consent)
        make_signed_consent(self.ready.client, ConsentKind.KAP)

        self.assert_fails_only()

    def test_it_needs_the_consent_for_the_course_modality(self) -> None:
        course = self.ready.course
        course.modality = Modality.KA_EMDR
        course.save()

        checks = self.assert_fails_only("consent")

        assert checks["consent"].label == "Signed KA-EMDR informed consent, not revoked"

        make_signed_consent(self.ready.client, ConsentKind.KA_EMDR)

        self.assert_fails_only()

    def test_it_does_not_take_another_clients_consent(self) -> None:
        self.revoke(self.ready.consent)
        make_signed_consent(make_client(first_name="Other"), ConsentKind.KAP)

        self.assert_fails_only("consent")

    # --- Release of information -------------------------------------------

    def test_it_refuses_a_revoked_release(self) -> None:
        assert self.ready.referral is not None
        self.revoke(self.ready.referral.release)

        checks = self.assert_fails_only("release")

        assert checks["release"].detail == "Not signed, or revoked."

    def test_it_needs_the_release_to_the_evaluating_partner(self) -> None:
        assert self.ready.referral is not None
        self.revoke(self.ready.referral.release)
        make_signed_consent(self.ready.client, ConsentKind.ROI, self.partner2)

        self.assert_fails_only("release")

    def test_it_checks_the_release_to_the_prescribing_partner(self) -> None:
        other = make_referral(
            self.ready.client, self.partner2, self.therapist, status=ReferralStatus.ELIGIBLE
        )
        Referral.objects.filter(pk=other.pk).update(
            updated_at=timezone.now() + dt.timedelta(minutes=1)
        )
        assert self.ready.referral is not None
        self.revoke(self.ready.referral.release)

        self.assert_fails_only("release")

    # --- Escort -----------------------------------------------------------

    def test_it_needs_an_escort_confirmed(self) -> None:
        TreatmentSession.objects.filter(pk=self.ready.session.pk).update(escort_confirmed_at=None)

        checks = self.assert_fails_only("escort")

        assert checks["escort"].detail == "No escort or ride confirmed for today."

    def test_it_refuses_an_escort_confirmed_yesterday(self) -> None:
        TreatmentSession.objects.filter(pk=self.ready.session.pk).update(
            escort_confirmed_at=timezone.now() - dt.timedelta(days=1)
        )

        checks = self.assert_fails_only("escort")

        assert checks["escort"].detail == "No escort or ride confirmed for today."

    def test_it_counts_days_in_the_practice_time_zone(self) -> None:
        # 23:30 yesterday in the practice is already today in UTC.
        late = local_datetime(self.today - dt.timedelta(days=1), 23, 30)
        TreatmentSession.objects.filter(pk=self.ready.session.pk).update(escort_confirmed_at=late)
        self.assert_fails_only("escort")

        early = local_datetime(self.today, 0, 5)
        TreatmentSession.objects.filter(pk=self.ready.session.pk).update(escort_confirmed_at=early)
        checks = self.assert_fails_only()
        assert checks["escort"].detail == "Walter Skinner, confirmed 00:05."

    def test_it_holds_a_confirmation_for_its_own_day_only(self) -> None:
        tomorrow = self.today + dt.timedelta(days=1)

        self.assert_fails_only("escort", today=tomorrow)

    # --- Safety alerts ----------------------------------------------------

    def patch_alerts(self, alerts: Callable[[Client], list[str]]) -> None:
        """Stand in for the measures app's open alerts (measures.gate reads them)."""
        patcher = mock.patch("measures.gate.gate_descriptions", side_effect=alerts)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_it_refuses_while_a_safety_alert_is_unacknowledged(self) -> None:
        record = self.ready.client

        def alerts(client: Client) -> list[str]:
            if client.pk != record.pk:
                return []
            return ["PHQ-9 item 9 answered above 0 on 2026-01-05"]

        self.patch_alerts(alerts)

        checks = self.assert_fails_only("safety")

        assert checks["safety"].detail == "PHQ-9 item 9 answered above 0 on 2026-01-05"

    def test_it_lists_every_alert(self) -> None:
        def alerts(client: Client) -> list[str]:
            return ["Alert one", "Alert two", "Alert three"]

        self.patch_alerts(alerts)

        checks = self.assert_fails_only("safety")

        assert checks["safety"].detail == "Alert one; Alert two; Alert three"

    def test_it_ignores_alerts_of_other_clients(self) -> None:
        record = self.ready.client

        def alerts(client: Client) -> list[str]:
            return [] if client.pk == record.pk else ["Someone else's alert"]

        self.patch_alerts(alerts)

        self.assert_fails_only()

    # --- Preparation ------------------------------------------------------

    def test_it_needs_a_completed_preparation_session(self) -> None:
        self.ready = make_ready(
            self.therapist,
            self.prescriber,
            self.partner,
            client=make_client(first_name="Fox", assigned_therapist=self.therapist),
            preparation=False,
        )

        checks = self.assert_fails_only("preparation")

        assert checks["preparation"].detail == "No preparation session completed yet."

    def test_it_does_not_count_preparation_not_completed(self) -> None:
        assert self.ready.preparation is not None
        TreatmentSession.objects.filter(pk=self.ready.preparation.pk).update(
            status=SessionStatus.CANCELLED
        )
        for status in (SessionStatus.PLANNED, SessionStatus.CANCELLED, SessionStatus.IN_PROGRESS):
            make_session(self.ready.course, SessionKind.PREPARATION, status=status)
        # A completed session of another kind is not preparation either.
        make_session(self.ready.course, SessionKind.INTEGRATION, status=SessionStatus.COMPLETED)

        checks = self.assert_fails_only("preparation")

        assert checks["preparation"].detail == "No preparation session completed yet."

    def test_it_counts_every_completed_preparation_session(self) -> None:
        make_session(self.ready.course, SessionKind.PREPARATION, status=SessionStatus.COMPLETED)

        checks = self.assert_fails_only()

        assert checks["preparation"].detail == "2 completed."
