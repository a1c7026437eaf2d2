"""A property test over sequences of dosing-record actions (issue 8, "Tests").

Hypothesis plays random sequences of vitals, doses, boosters, prescription
revisions, safety alerts, consent and release revocations, escort changes,
discontinuations and discharges against one open record. Before every dose or
booster, an oracle written here, independently of dosing.rules and from the
issue's words, says whether the rules allow it at that moment. The property:
no administration is ever stored that the oracle refuses — outside the gate, the
prescription version in force, or the vital-sign limits.

The oracle is deliberately simpler than the code (it never records a prescriber
contact, so it need not model one): the property is one-way, "nothing unsafe is
stored", not "everything safe is stored".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from consents.models import ConsentKind, ConsentRevocation, SignedConsent
from dosing import services
from dosing.models import Administration, Discharge, DosingRecord, VitalSigns
from dosing.tests.support import IN_RANGE, actor_as, open_record, predose_done, revise
from measures.models import SafetyAlert
from pathways.testing import BaseTestCase
from prescriptions import services as rx_services
from prescriptions.models import Prescription, RxStatus
from treatment.models import TreatmentSession

minutes = st.integers(min_value=0, max_value=85)
# Doses and boosters after the example's baseline (taken 50 minutes ago).
dose_minutes = st.integers(min_value=0, max_value=49)
readings = st.fixed_dictionaries(
    {
        "systolic": st.integers(min_value=80, max_value=200),
        "diastolic": st.integers(min_value=45, max_value=125),
        "heart_rate": st.integers(min_value=40, max_value=140),
        "spo2": st.integers(min_value=85, max_value=100),
    }
)
ACTIONS = st.one_of(
    st.tuples(
        st.just("vitals"),
        st.sampled_from(["baseline", "recheck", "monitoring", "discharge"]),
        minutes,
        readings,
    ),
    st.tuples(st.just("dose"), st.sampled_from(["60", "100", "150", "900"]), dose_minutes),
    st.tuples(st.just("booster"), st.sampled_from(["25", "50", "80"]), dose_minutes),
    st.tuples(
        st.just("revise"),
        st.sampled_from(
            [
                {"dose_mg": Decimal(80)},
                {"max_systolic": 125, "max_diastolic": 82},
                {"booster_mg": None, "booster_after_minutes": None},
                {"booster_mg": Decimal(50), "booster_after_minutes": 20},
                {"fasting_solids_hours": Decimal(8)},
            ]
        ),
    ),
    st.tuples(st.just("alert"), st.booleans()),
    st.tuples(st.just("revoke"), st.sampled_from([ConsentKind.KAP, ConsentKind.ROI])),
    st.tuples(st.just("escort_yesterday")),
    st.tuples(st.just("discontinue")),
    st.tuples(st.just("discharge"), st.booleans()),
)


def ago(m: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=m)


def within(v: VitalSigns, rx: Prescription) -> bool:
    return (
        rx.min_systolic <= v.systolic <= rx.max_systolic
        and rx.min_diastolic <= v.diastolic <= rx.max_diastolic
        and rx.hr_min <= v.heart_rate <= rx.hr_max
        and rx.spo2_min <= v.spo2 <= rx.spo2_max
    )


def oracle(record: DosingRecord, kind: str, mg: Decimal, at: dt.datetime) -> bool:
    """The issue's rules, read straight from the database at the moment of the write."""
    client = record.session.course.client
    root = record.prescription.chain_id or record.prescription_id
    rx = Prescription.objects.filter(Q(pk=root) | Q(chain_id=root)).order_by("-version").first()
    assert rx is not None
    today = timezone.localdate()
    session = TreatmentSession.objects.get(pk=record.session_id)
    if Discharge.objects.filter(record=record).exists():
        return False
    if rx.status != RxStatus.ACTIVE or not rx.valid_from <= today <= rx.valid_to:
        return False
    if SafetyAlert.objects.filter(client=client, acknowledged_at=None).exists():
        return False
    for consent_kind in (ConsentKind.KAP, ConsentKind.ROI):
        signed = SignedConsent.objects.filter(client=client, document__kind=consent_kind)
        if not signed.exclude(revocation__isnull=False).exists():
            return False
    if (
        session.escort_confirmed_at is None
        or timezone.localdate(session.escort_confirmed_at) != today
    ):
        return False
    if at > timezone.now():
        return False
    vitals = list(record.vitals.order_by("taken_at", "id"))
    dose = record.administrations.filter(kind="dose").first()
    if kind == "dose":
        if dose is not None or mg > rx.dose_mg:
            return False
        if record.fasting_hours is None or rx.fasting_solids_hours is None:
            return False
        if record.fasting_hours < rx.fasting_solids_hours:
            return False
        predose = [v for v in vitals if v.phase in ("baseline", "recheck")]
        if not predose:
            return False
        latest = predose[-1]
        return (
            latest.taken_at <= at
            and at - latest.taken_at <= dt.timedelta(minutes=60)
            and within(latest, rx)
        )
    if rx.booster_mg is None or dose is None or mg > rx.booster_mg:
        return False
    if record.administrations.filter(kind="booster").exists():
        return False
    if rx.booster_after_minutes is None:
        return False
    if at < dose.given_at + dt.timedelta(minutes=rx.booster_after_minutes):
        return False
    if not vitals:
        return False
    latest = vitals[-1]
    return (
        dose.given_at <= latest.taken_at <= at
        and at - latest.taken_at <= dt.timedelta(minutes=15)
        and within(latest, rx)
    )


class DosingPropertyTests(HypothesisTestCase, BaseTestCase):
    # Hypothesis's TestCase first, for its per-example set-up; BaseTestCase for one
    # user per role, as in every other test case.

    @settings(
        max_examples=120,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(actions=st.lists(ACTIONS, min_size=1, max_size=14))
    # The tester's sequences from the issue, always played besides the random ones.
    @example(actions=[("revise", {"dose_mg": Decimal(80)}), ("dose", "100", 0)])
    @example(
        actions=[
            ("revise", {"max_systolic": 125, "max_diastolic": 82}),
            (
                "vitals",
                "recheck",
                5,
                {"systolic": 130, "diastolic": 85, "heart_rate": 70, "spo2": 97},
            ),
            ("dose", "100", 0),
        ]
    )
    @example(actions=[("alert", True), ("dose", "100", 0)])
    @example(actions=[("revoke", ConsentKind.KAP), ("dose", "100", 0)])
    @example(actions=[("revoke", ConsentKind.ROI), ("dose", "60", 0)])
    @example(actions=[("escort_yesterday",), ("dose", "100", 0)])
    @example(actions=[("discontinue",), ("dose", "100", 0)])
    @example(actions=[("dose", "100", 40), ("booster", "50", 39)])
    @example(
        actions=[
            ("dose", "100", 40),
            (
                "vitals",
                "monitoring",
                1,
                {"systolic": 178, "diastolic": 108, "heart_rate": 125, "spo2": 89},
            ),
            ("booster", "50", 0),
        ]
    )
    @example(
        actions=[
            ("dose", "100", 40),
            (
                "vitals",
                "monitoring",
                5,
                {"systolic": 120, "diastolic": 80, "heart_rate": 72, "spo2": 98},
            ),
            ("revise", {"booster_mg": None, "booster_after_minutes": None}),
            ("booster", "50", 0),
        ]
    )
    @example(actions=[("dose", "60", 40), ("discharge", True), ("booster", "50", 0)])
    def test_no_dose_is_ever_stored_outside_the_rules(
        self, actions: list[tuple[Any, ...]]
    ) -> None:
        _ready, record = open_record(
            self.therapist,
            self.prescriber,
            self.partner,
            booster_mg=Decimal(50),
        )
        predose_done(record)
        staff = actor_as(self.therapist)
        # An in-range baseline, so that many sequences reach a dose and the rules
        # are tested where it matters, not only where the dose is refused anyway.
        baseline = services.VitalsReading(phase="baseline", taken_at=ago(50), **IN_RANGE)
        services.vitals_add(actor=staff, record=record, reading=baseline)
        for action in actions:
            record = DosingRecord.objects.get(pk=record.pk)
            self.play(record, staff, action)
        for stored in Administration.objects.all():
            # Every stored dose was allowed at its write (asserted in play()); and it
            # records the version that governed it.
            self.assertIsNotNone(stored.prescription_id)

    def play(self, record: DosingRecord, staff: Any, action: tuple[Any, ...]) -> None:
        name = action[0]
        therapist, admin = self.therapist, self.admin
        try:
            if name == "vitals":
                _, phase, m, values = action
                reading = services.VitalsReading(phase=phase, taken_at=ago(m), **values)
                services.vitals_add(actor=staff, record=record, reading=reading)
            elif name in ("dose", "booster"):
                mg, at = Decimal(action[1]), ago(action[2])
                allowed = oracle(record, name, mg, at)
                before = Administration.objects.count()
                try:
                    services.administration_add(
                        actor=staff,
                        record=record,
                        kind=name,
                        dose_mg=mg,
                        given_at=at,
                        given_by=therapist,
                        witnessed_by=admin,
                    )
                except services.DosingError:
                    return
                self.assertEqual(Administration.objects.count(), before + 1)
                self.assertTrue(allowed, f"a {name} of {mg} mg was stored against the rules")
            elif name == "revise":
                rx = Prescription.objects.get(
                    Q(pk=record.prescription.chain_id or record.prescription_id)
                    | Q(chain_id=record.prescription.chain_id or record.prescription_id),
                    status=RxStatus.ACTIVE,
                )
                revise(self.prescriber, rx, **dict(action[1]))
            elif name == "alert":
                client = record.session.course.client
                if action[1]:
                    link_alert(client)
                else:
                    SafetyAlert.objects.filter(client=client).update(
                        acknowledged_at=timezone.now()
                    )
            elif name == "revoke":
                signed = SignedConsent.objects.filter(
                    client=record.session.course.client, document__kind=action[1]
                ).first()
                if signed and not ConsentRevocation.objects.filter(consent=signed).exists():
                    ConsentRevocation.objects.create(
                        consent=signed, recorded_by=therapist, reason="r"
                    )
            elif name == "escort_yesterday":
                TreatmentSession.objects.filter(pk=record.session_id).update(
                    escort_confirmed_at=timezone.now() - dt.timedelta(days=1)
                )
            elif name == "discontinue":
                Prescription.objects.filter(
                    Q(pk=record.prescription_id) | Q(chain_id=record.prescription.chain_id or 0),
                    status=RxStatus.ACTIVE,
                ).update(status=RxStatus.DISCONTINUED, discontinued_at=timezone.now())
            elif name == "discharge":
                services.record_discharge(
                    actor=staff,
                    record=record,
                    ticks=services.DischargeTicks(
                        alert_and_oriented=True,
                        walks_steadily=True,
                        escort_present=True,
                        told_no_driving=True,
                    ),
                    discharged_at=timezone.now(),
                    exception_reason="Early, by choice." if action[1] else "",
                )
        except (services.DosingError, rx_services.PrescriptionError, Prescription.DoesNotExist):
            pass


def link_alert(client: Any) -> None:
    from dosing.tests.support import recent_phq9

    response = recent_phq9(client.pk, hours_ago=1, item9=2)
    SafetyAlert.objects.create(
        client=client, instrument=response.instrument, response=response, item=9, value=2
    )
