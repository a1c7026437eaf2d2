"""Issue 8 §3: before the dose — fresh baseline vitals taken after arrival, fasting and
holds against the prescription's structured fields, a recent PHQ-9 and today's
suicide-risk check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from dosing import rules, services
from dosing.models import Administration, DosingRecord, VitalSigns
from dosing.tests.support import (
    actor_as,
    add_vitals,
    ago,
    give_dose,
    open_record,
    post_data,
    predose_done,
)
from measures.models import Response, Source
from pathways.testing import BaseTestCase
from treatment.models import TreatmentSession


class BeforeTheDoseTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        predose_done(self.record)

    def assert_refused(self, words: str) -> None:
        with self.assertRaises(services.DosingError) as refused:
            give_dose(self.record, self.therapist, self.admin, minutes_ago=1)
        self.assertIn(words, str(refused.exception))
        self.assertFalse(Administration.objects.exists())

    def test_baseline_vitals_older_than_the_window_do_not_clear_the_dose(self) -> None:
        add_vitals(self.record, self.therapist, minutes_ago=70)

        self.assert_refused("more than 60 minutes old")

    def test_baseline_vitals_within_the_window_clear_the_dose(self) -> None:
        add_vitals(self.record, self.therapist, minutes_ago=55)

        give_dose(self.record, self.therapist, self.admin, minutes_ago=1)

    def test_it_reads_the_latest_predose_set_past_later_monitoring(self) -> None:
        # After the dose a monitoring set is the latest vitals, never the pre-dose one
        # (rules.latest_predose: its phase filter, in SQL compiled once).
        baseline, _flags = add_vitals(self.record, self.therapist, minutes_ago=30)
        give_dose(self.record, self.therapist, self.admin, minutes_ago=20)
        monitoring, _flags = add_vitals(
            self.record, self.therapist, phase=VitalSigns.Phase.MONITORING, minutes_ago=5
        )
        self.record.refresh_from_db()
        self.assertEqual(rules.latest_vitals(self.record), monitoring)
        predose = rules.latest_predose(self.record)
        self.assertEqual(predose, baseline)
        assert predose is not None
        with self.assertNumQueries(0):  # its record, as the relation gave it
            self.assertIs(predose.record, self.record)

    def test_baseline_vitals_before_arrival_are_refused(self) -> None:
        # The session started 90 minutes ago (support.open_record): a set timed
        # 26 hours ago cannot be today's baseline.
        with self.assertRaises(services.DosingError) as refused:
            add_vitals(self.record, self.therapist, minutes_ago=26 * 60)
        self.assertIn("after the client arrives", str(refused.exception))

    def test_arrival_comes_from_the_appointment_when_it_was_marked(self) -> None:
        from scheduling.models import Appointment

        arrived = timezone.now() - dt.timedelta(minutes=20)
        Appointment.objects.create(
            client=self.ready.client,
            clinician=self.therapist,
            type="kap_dosing",
            starts_at=timezone.now() - dt.timedelta(minutes=30),
            ends_at=timezone.now() + dt.timedelta(minutes=150),
            session=self.ready.session,
            status="in_session",
            arrived_at=arrived,
            created_by=self.therapist,
        )

        with self.assertRaises(services.DosingError):
            add_vitals(self.record, self.therapist, minutes_ago=30)
        add_vitals(self.record, self.therapist, minutes_ago=10)

    def test_a_fasting_shortfall_blocks_until_the_prescriber_approves(self) -> None:
        # The prescription says 4 h without food; the client ate half an hour ago.
        DosingRecord.objects.filter(pk=self.record.pk).update(fasting_hours=Decimal("0.5"))
        self.record.refresh_from_db()
        add_vitals(self.record, self.therapist, minutes_ago=10)

        self.assert_refused("Fasted 0.5 h from food; the prescription asks for 4.0 h")
        services.prescriber_contact_add(
            actor=actor_as(self.therapist),
            record=self.record,
            topic="predose",
            contacted_at=timezone.now(),
            prescriber_name="Dr Reyes",
            instruction="Proceed; light breakfast only.",
            proceed=True,
        )
        give_dose(self.record, self.therapist, self.admin, minutes_ago=0)

    def test_a_hold_taken_blocks_the_dose(self) -> None:
        DosingRecord.objects.filter(pk=self.record.pk).update(
            holds_answers={"Benzodiazepines": "taken"}
        )
        self.record.refresh_from_db()
        add_vitals(self.record, self.therapist, minutes_ago=10)

        self.assert_refused("Benzodiazepines was taken within the 24 h hold")

    def test_an_unanswered_hold_blocks_the_dose(self) -> None:
        DosingRecord.objects.filter(pk=self.record.pk).update(holds_answers={})
        self.record.refresh_from_db()
        add_vitals(self.record, self.therapist, minutes_ago=10)

        self.assert_refused("Not asked about the holds: Benzodiazepines")

    def test_the_predose_form_asks_each_hold_and_compares_it(self) -> None:
        self.client.force_login(self.therapist)
        DosingRecord.objects.filter(pk=self.record.pk).update(holds_answers={})

        self.client.post(
            reverse("dosing:predose", args=[self.record.pk]),
            post_data(
                "predose",
                fasting_hours="0.5",
                fasting_liquids_hours="3",
                hold_0="taken",
                escort_name="Walter Skinner",
                escort_phone="(555) 010-0150",
                intention="To rest.",
            ),
        )

        self.record.refresh_from_db()
        self.assertEqual(self.record.holds_answers, {"Benzodiazepines": "taken"})
        self.assertFalse(self.record.holds_respected)
        response = self.client.get(reverse("dosing:record", args=[self.record.pk]))
        self.assertContains(response, 'id="shortfalls"')
        self.assertContains(response, "Fasted 0.5 h from food")

    def test_a_stale_phq9_makes_the_dose_wait(self) -> None:
        Response.objects.filter(client=self.ready.client).update(
            answered_at=timezone.now() - dt.timedelta(hours=73)
        )
        add_vitals(self.record, self.therapist, minutes_ago=10)

        self.assert_refused("send a new one")

    def test_a_phq9_imported_from_a_previous_provider_does_not_clear_the_dose(self) -> None:
        # The practice screens the client itself before a dose: another provider's PHQ-9
        # from a FHIR file, however recent, is history (measures.queries.latest_phq9_at).
        Response.objects.filter(client=self.ready.client).update(
            answered_at=timezone.now() - dt.timedelta(hours=73)
        )
        imported = Response.objects.filter(client=self.ready.client).first()
        assert imported is not None
        imported.pk = None
        imported.source = Source.FHIR
        imported.answered_at = timezone.now() - dt.timedelta(hours=1)
        imported.save()
        add_vitals(self.record, self.therapist, minutes_ago=10)

        self.assert_refused("send a new one")

    def test_no_risk_check_today_makes_the_dose_wait(self) -> None:
        DosingRecord.objects.filter(pk=self.record.pk).update(
            risk_check_at=timezone.now() - dt.timedelta(days=1)
        )
        self.record.refresh_from_db()
        add_vitals(self.record, self.therapist, minutes_ago=10)

        self.assert_refused("Today's suicide-risk check")

    def test_a_risk_found_today_makes_the_dose_wait(self) -> None:
        services.risk_check_save(
            actor=actor_as(self.therapist),
            record=self.record,
            method="cssrs",
            outcome="risk",
            note="Passive ideation this week; safety plan reviewed.",
        )
        add_vitals(self.record, self.therapist, minutes_ago=10)

        self.assert_refused("Risk was reported: do not dose")

    def test_only_a_clinician_records_the_risk_check(self) -> None:
        with self.assertRaises(services.DosingError):
            services.risk_check_save(
                actor=actor_as(self.intake),
                record=self.record,
                method="cssrs",
                outcome="no_risk",
                note="",
            )

    def test_the_risk_check_form_records_it(self) -> None:
        DosingRecord.objects.filter(pk=self.record.pk).update(risk_check_at=None)
        self.client.force_login(self.therapist)

        self.client.post(
            reverse("dosing:risk_check", args=[self.record.pk]),
            post_data("risk", method="cssrs", outcome="no_risk", note=""),
        )

        self.record.refresh_from_db()
        self.assertEqual(self.record.risk_check_by, self.therapist)
        self.assertEqual(timezone.localdate(self.record.risk_check_at), timezone.localdate())

    def test_the_session_start_time_is_arrival_without_an_appointment(self) -> None:
        started = TreatmentSession.objects.get(pk=self.record.session_id).started_at
        assert started is not None

        with self.assertRaises(services.DosingError):
            services.vitals_add(
                actor=actor_as(self.therapist),
                record=self.record,
                reading=services.VitalsReading(
                    phase="baseline",
                    taken_at=started - dt.timedelta(minutes=1),
                    systolic=120,
                    diastolic=80,
                    heart_rate=70,
                    spo2=98,
                ),
            )
        # The session started this morning (support.open_record: 90 minutes ago); compared
        # as a span, not by local date, which differs in the first 90 minutes after midnight.
        self.assertLess(ago(0) - started, dt.timedelta(hours=2))
