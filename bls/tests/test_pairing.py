"""Pairing a BLS display with a record, and the sets it logs (bls.pairing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role, User
from audit.models import AuditEvent
from bls import pairing
from bls.models import BlsType, DesensitisationSet, DisplayPairing
from bls.queries import active_pairing
from bls.settings_check import validate_settings
from pathways.testing import BaseTestCase, make_partner, make_prescriber, make_user, run_together

from .support import give, make_emdr_appointment, make_emdr_session


class PairingTests(BaseTestCase):
    def setUp(self) -> None:
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record
        self.actor = Actor.for_user(self.therapist, "10.0.0.7")

    def test_it_stores_a_keyed_hash_of_the_code_never_the_code(self) -> None:
        made, code = pairing.pairing_create(channel="display-1")
        stored = DisplayPairing.objects.get(pk=made.pk)
        self.assertRegex(code, r"^\d{6}$")
        self.assertNotIn(code, stored.code_hash)
        self.assertEqual(stored.code_hash, pairing.code_hash(code))
        # Keyed with SECRET_KEY: another key gives another hash.
        with override_settings(SECRET_KEY="another-key-" * 5):
            self.assertNotEqual(pairing.code_hash(code), stored.code_hash)

    def test_it_expires_the_code_within_two_minutes(self) -> None:
        made, _ = pairing.pairing_create(channel="display-1")
        self.assertLessEqual(made.expires_at - made.created_at, dt.timedelta(minutes=2))
        with override_settings(BLS_PAIRING_SECONDS=45):
            shorter, _ = pairing.pairing_create(channel="display-2")
        self.assertEqual(shorter.expires_at - shorter.created_at, dt.timedelta(seconds=45))

    def test_it_refuses_a_pairing_time_over_two_minutes_at_start_up(self) -> None:
        for wrong in (121, 29, "120"):
            with (
                override_settings(BLS_PAIRING_SECONDS=wrong),
                self.assertRaisesMessage(ImproperlyConfigured, "BLS_PAIRING_SECONDS"),
            ):
                from django.conf import settings

                validate_settings(settings)

    def test_it_pairs_a_code_once(self) -> None:
        made, code = pairing.pairing_create(channel="display-1")
        paired = pairing.pairing_pair(actor=self.actor, record=self.record, code=code)
        self.assertEqual(paired.pairing.pk, made.pk)
        stored = DisplayPairing.objects.get(pk=made.pk)
        self.assertEqual((stored.record, stored.therapist), (self.record, self.therapist))
        # The resume token goes to the display; only its hash is kept.
        self.assertEqual(stored.resume_hash, pairing.resume_hash(paired.resume_token))
        self.assertNotIn(paired.resume_token, stored.resume_hash)
        with self.assertRaisesMessage(pairing.PairingError, pairing.INVALID_MESSAGE):
            pairing.pairing_pair(actor=self.actor, record=self.record, code=code)
        actions = list(AuditEvent.objects.values_list("action", "detail"))
        self.assertIn(("emdr.display_pair", {"pairing": made.pk}), actions)
        self.assertIn(("emdr.display_pair_refused", {"reason": "invalid"}), actions)
        self.assertFalse(AuditEvent.objects.filter(detail__icontains=code).exists())

    def test_it_refuses_an_expired_code(self) -> None:
        made, code = pairing.pairing_create(channel="display-1")
        DisplayPairing.objects.filter(pk=made.pk).update(expires_at=timezone.now())
        with self.assertRaises(pairing.PairingError) as refused:
            pairing.pairing_pair(actor=self.actor, record=self.record, code=code)
        self.assertEqual(refused.exception.errors, {"code": pairing.EXPIRED_MESSAGE})
        self.assertIsNone(DisplayPairing.objects.get(pk=made.pk).paired_at)
        self.assertTrue(
            AuditEvent.objects.filter(
                action="emdr.display_pair_refused", detail={"reason": "expired"}
            ).exists()
        )

    def test_it_refuses_a_code_that_is_not_one(self) -> None:
        for wrong in ("12345", "1234567", "abcdef", "１２３４５６"):
            with self.assertRaisesMessage(pairing.PairingError, "Enter the 6 digits"):
                pairing.pairing_pair(actor=self.actor, record=self.record, code=wrong)

    def test_it_lets_no_one_but_the_records_therapist_pair(self) -> None:
        _, code = pairing.pairing_create(channel="display-1")
        for user in (self.therapist2, self.admin, self.intake, self.prescriber):
            with self.subTest(user.role), self.assertRaises(PermissionError):
                pairing.pairing_pair(actor=Actor.for_user(user), record=self.record, code=code)
        self.assertEqual(AuditEvent.objects.filter(action="emdr.display_pair_refused").count(), 4)
        self.assertFalse(DisplayPairing.objects.filter(paired_at__isnull=False).exists())

    def test_it_names_the_appointments_clinician_before_the_assigned_therapist(self) -> None:
        def named() -> User | None:
            # therapist_id_of (the record page's question) answers as therapist_of does.
            therapist = pairing.therapist_of(self.record)
            assert pairing.therapist_id_of(self.record) == (therapist.pk if therapist else None)
            return therapist

        self.assertEqual(named(), self.therapist)
        appointment = make_emdr_appointment(
            self.emdr.client, self.therapist2, self.emdr.start, session=self.emdr.session
        )
        self.assertEqual(named(), self.therapist2)
        self.assertFalse(pairing.may_control(self.therapist, self.record))
        self.assertTrue(pairing.may_control(self.therapist2, self.record))
        appointment.session = None
        appointment.save()
        self.assertEqual(named(), self.therapist)
        self.assertTrue(pairing.may_control(self.therapist, self.record))
        # A record of the appointment itself: its clinician.
        self.record.session = None
        self.record.appointment = appointment
        self.assertEqual(named(), self.therapist2)

    def test_it_resumes_a_live_pairing_only(self) -> None:
        _, code = pairing.pairing_create(channel="display-1")
        paired = pairing.pairing_pair(actor=self.actor, record=self.record, code=code)
        token = paired.resume_token
        self.assertIsNone(pairing.pairing_resume(token="not-the-token", channel="display-2"))
        resumed = pairing.pairing_resume(token=token, channel="display-2", reduced_motion=True)
        self.assertEqual(resumed, paired.pairing)
        stored = DisplayPairing.objects.get(pk=paired.pairing.pk)
        self.assertEqual((stored.display_channel, stored.reduced_motion), ("display-2", True))
        # Paired longer ago than a session lasts: a new code instead.
        DisplayPairing.objects.filter(pk=stored.pk).update(
            paired_at=timezone.now() - dt.timedelta(hours=13)
        )
        self.assertIsNone(pairing.pairing_resume(token=token, channel="display-3"))
        DisplayPairing.objects.filter(pk=stored.pk).update(
            paired_at=timezone.now(), ended_at=timezone.now()
        )
        self.assertIsNone(pairing.pairing_resume(token=token, channel="display-3"))

    def test_it_deletes_codes_nobody_typed_after_a_day(self) -> None:
        old, _ = pairing.pairing_create(channel="display-1")
        DisplayPairing.objects.filter(pk=old.pk).update(
            expires_at=timezone.now() - dt.timedelta(days=1, minutes=1)
        )
        recent, _ = pairing.pairing_create(channel="display-2")
        self.assertEqual(list(DisplayPairing.objects.values_list("pk", flat=True)), [recent.pk])

    def test_it_ends_an_earlier_pairing_of_the_same_record(self) -> None:
        _, first = pairing.pairing_create(channel="display-1")
        _, second = pairing.pairing_create(channel="display-2")
        one = pairing.pairing_pair(actor=self.actor, record=self.record, code=first).pairing
        paired = pairing.pairing_pair(actor=self.actor, record=self.record, code=second)
        two = paired.pairing
        self.assertEqual(
            [(e.pairing.pk, e.display_channel) for e in paired.ended], [(one.pk, "display-1")]
        )
        one.refresh_from_db()
        self.assertIsNotNone(one.ended_at)
        self.assertEqual(one.display_channel, "")
        self.assertEqual(active_pairing(self.record, self.therapist), two)


class SetLogTests(BaseTestCase):
    def setUp(self) -> None:
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record
        _, code = pairing.pairing_create(channel="display-1")
        actor = Actor.for_user(self.therapist)
        self.pairing = pairing.pairing_pair(actor=actor, record=self.record, code=code).pairing

    def start(self, **values: object) -> None:
        settings = {"mode": "eyes", "speed": 1.0, "passes": 24, "seconds": None, **values}
        pairing.set_begin(pairing_id=self.pairing.pk, settings_=settings)

    def test_it_logs_the_set_the_display_ran(self) -> None:
        dose_at = timezone.now() - dt.timedelta(minutes=37, seconds=30)
        give(self.emdr.session, self.therapist, dose_at)
        self.start(mode="both", speed=1.5)
        started = DisplayPairing.objects.get(pk=self.pairing.pk).set_started_at
        assert started is not None
        entry = pairing.set_finish(
            pairing_id=self.pairing.pk, passes=24, ms=16_400, interrupted=False
        )
        assert entry is not None
        self.assertEqual(
            (entry.number, entry.bls_type, entry.speed_hz, entry.passes, entry.seconds),
            (1, BlsType.BOTH, Decimal("1.5"), 24, 16),
        )
        self.assertEqual(entry.at, started)
        self.assertEqual(entry.minutes_since_dose, 37)
        self.assertEqual((entry.from_display, entry.interrupted), (True, False))
        self.assertEqual(entry.recorded_by, self.therapist)
        self.assertTrue(
            AuditEvent.objects.filter(
                action="emdr.set_run",
                detail={"set": entry.pk, "number": 1, "interrupted": False},
            ).exists()
        )

    def test_it_logs_a_live_speed_change_as_the_sets_speed(self) -> None:
        self.start(mode="auditory", speed=1.0)
        pairing.set_change(pairing_id=self.pairing.pk, changes={"speed": 0.8})
        entry = pairing.set_finish(
            pairing_id=self.pairing.pk, passes=10, ms=9000, interrupted=False
        )
        assert entry is not None
        self.assertEqual((entry.bls_type, entry.speed_hz), (BlsType.AUDITORY, Decimal("0.8")))

    def test_it_logs_a_set_once(self) -> None:
        self.start()
        pairing.set_progress(pairing_id=self.pairing.pk, passes=7)
        first = pairing.set_finish(
            pairing_id=self.pairing.pk, passes=None, ms=None, interrupted=True
        )
        again = pairing.set_finish(
            pairing_id=self.pairing.pk, passes=24, ms=24_000, interrupted=False
        )
        self.assertIsNone(again)
        assert first is not None
        self.assertEqual((first.passes, first.interrupted), (7, True))
        self.assertEqual(DesensitisationSet.objects.filter(record=self.record).count(), 1)

    def test_it_numbers_after_the_sets_typed_in(self) -> None:
        DesensitisationSet.objects.create(
            record=self.record,
            number=1,
            at=timezone.now(),
            bls_type="eyes",
            speed_hz="1.0",
            passes=24,
            recorded_by=self.therapist,
        )
        self.start()
        entry = pairing.set_finish(
            pairing_id=self.pairing.pk, passes=3, ms=3000, interrupted=False
        )
        assert entry is not None
        self.assertEqual(entry.number, 2)

    def test_it_keeps_no_minutes_since_a_dose_not_yet_given(self) -> None:
        self.start()
        give(self.emdr.session, self.therapist, timezone.now() + dt.timedelta(minutes=5))
        entry = pairing.set_finish(
            pairing_id=self.pairing.pk, passes=3, ms=3000, interrupted=False
        )
        assert entry is not None
        self.assertIsNone(entry.minutes_since_dose)

    def test_it_refuses_a_passes_count_out_of_range(self) -> None:
        self.start()
        pairing.set_progress(pairing_id=self.pairing.pk, passes=5)
        self.assertIsNone(pairing.set_progress(pairing_id=self.pairing.pk, passes=-1))
        self.assertIsNone(pairing.set_progress(pairing_id=self.pairing.pk, passes=True))
        entry = pairing.set_finish(
            pairing_id=self.pairing.pk, passes=10**9, ms=-5, interrupted=False
        )
        assert entry is not None
        self.assertEqual(entry.passes, 5)
        self.assertLessEqual(entry.seconds or 0, 2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_a_finish_racing_a_disconnect_logs_one_set(attempt: int) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot serve two writers at once")
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST)
    emdr = make_emdr_session(theo, make_prescriber("rx", partner), partner)
    made, code = pairing.pairing_create(channel="display-1")
    pairing.pairing_pair(actor=Actor.for_user(theo), record=emdr.record, code=code)
    pairing.set_begin(pairing_id=made.pk, settings_={"mode": "eyes", "speed": 1.0})

    def finished() -> str:
        return str(pairing.set_finish(pairing_id=made.pk, passes=24, ms=24_000, interrupted=False))

    def dropped() -> str:
        return str(pairing.display_gone(pairing_id=made.pk, channel="display-1"))

    outcomes = run_together(finished, dropped, refused=())
    assert not [o for o in outcomes if o.startswith(("<", "Operational", "Integrity"))], outcomes
    assert DesensitisationSet.objects.filter(record=emdr.record).count() == 1, outcomes
