"""A course's measure schedule: the form, the baseline, and the four sending rules."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from io import StringIO
from typing import TYPE_CHECKING, Any
from unittest import mock

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.actor import Actor
from audit.models import AuditEvent
from clients.models import Client
from measures.models import MeasureLink, MeasureSchedule, Reason
from measures.schedule import ScheduleTerms, schedule_save, schedule_send_due
from measures.services import MeasureError
from measures.tests.support import SYSTEM
from measures.tests.test_send import load_instruments
from pathways.testing import BaseTestCase, make_client, make_course, make_session
from scheduling.models import Appointment, AppointmentStatus, AppointmentType
from treatment.models import (
    CourseStatus,
    SessionKind,
    SessionStatus,
    TreatmentCourse,
    TreatmentSession,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


def at(moment: dt.datetime) -> AbstractContextManager[object]:
    return mock.patch("django.utils.timezone.now", return_value=moment)


class ScheduleViewTests(BaseTestCase):
    client_obj: Client
    course: TreatmentCourse

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.client_obj = make_client(assigned_therapist=cls.therapist)
        cls.course = make_course(cls.client_obj, cls.therapist)

    def _post(self, **extra: object) -> TestResponse:
        data: dict[str, object] = {
            "instruments": ["phq9", "gad7"],
            "at_intake": "on",
            "before_dosing": "on",
            "at_integration": "on",
            "monthly_after": "on",
        }
        data.update(extra)
        self.client.force_login(self.therapist)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("measures:schedule", args=[self.course.pk]), data)

    def test_it_creates_a_schedule_and_sends_the_baseline_now(self) -> None:
        response = self._post()

        self.assertRedirects(
            response, self.course.get_absolute_url(), fetch_redirect_response=False
        )
        schedule = MeasureSchedule.objects.get()
        self.assertEqual(schedule.instruments, ["phq9", "gad7"])
        self.assertEqual(schedule.created_by, self.therapist)
        link = MeasureLink.objects.get()
        self.assertEqual(link.reason, Reason.BASELINE)
        self.assertEqual(link.course, self.course)
        self.assertEqual(len(mail.outbox), 1)

    def test_it_sends_no_baseline_when_at_intake_is_off(self) -> None:
        self._post(at_intake="")

        self.assertTrue(MeasureSchedule.objects.exists())
        self.assertFalse(MeasureLink.objects.exists())

    def test_it_edits_the_schedule_without_sending_the_baseline_again(self) -> None:
        self._post()

        response = self._post(instruments=["pcl5"], monthly_after="")

        self.assertEqual(response.status_code, 302)
        schedule = MeasureSchedule.objects.get()
        self.assertEqual(schedule.instruments, ["pcl5"])
        self.assertFalse(schedule.monthly_after)
        self.assertEqual(MeasureLink.objects.count(), 1)

    def test_it_refuses_a_schedule_without_instruments_or_times(self) -> None:
        response = self._post(
            instruments=[], at_intake="", before_dosing="", at_integration="", monthly_after=""
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Choose at least one questionnaire.")
        self.assertContains(response, "Turn on at least one of the times to send.")
        self.assertFalse(MeasureSchedule.objects.exists())

    def test_it_shows_the_baseline_link_once_when_the_client_has_no_email(self) -> None:
        self.client_obj.email = ""
        self.client_obj.save()

        response = self._post()

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "shown only this once")
        self.assertEqual(mail.outbox, [])

    def test_it_refuses_intake_staff(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get(reverse("measures:schedule", args=[self.course.pk]))

        self.assertEqual(response.status_code, 403)

    def test_it_hides_another_therapists_course(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.client.get(reverse("measures:schedule", args=[self.course.pk]))

        self.assertEqual(response.status_code, 404)


class ScheduleServiceTests(BaseTestCase):
    """schedule_save checks its own rules: a caller that skips the form stores nothing bad."""

    client_obj: Client
    course: TreatmentCourse

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.client_obj = make_client(assigned_therapist=cls.therapist)
        cls.course = make_course(cls.client_obj, cls.therapist)

    def _save(self, actor: Actor | None = None, **changes: Any) -> Any:
        terms: dict[str, Any] = {
            "instruments": ("phq9", "gad7"),
            "at_intake": True,
            "before_dosing": True,
            "at_integration": True,
            "monthly_after": True,
        }
        terms.update(changes)
        with self.captureOnCommitCallbacks(execute=True):
            return schedule_save(
                actor=actor or Actor.for_user(self.therapist),
                course=self.course,
                terms=ScheduleTerms(**terms),
            )

    def assert_nothing_stored(self) -> None:
        self.assertFalse(MeasureSchedule.objects.exists())
        self.assertFalse(MeasureLink.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action__startswith="measure").exists())

    def test_it_refuses_a_schedule_with_every_time_turned_off(self) -> None:
        with self.assertRaises(MeasureError) as raised:
            self._save(
                at_intake=False, before_dosing=False, at_integration=False, monthly_after=False
            )

        self.assertEqual(str(raised.exception), "Turn on at least one of the times to send.")
        self.assertIsNone(raised.exception.field)
        self.assert_nothing_stored()

    def test_it_refuses_no_or_unknown_questionnaires_beside_the_field(self) -> None:
        for instruments in ((), ("phq9", "made-up")):
            with self.subTest(instruments=instruments):
                with self.assertRaises(MeasureError) as raised:
                    self._save(instruments=instruments)

                self.assertEqual(raised.exception.field, "instruments")
                self.assert_nothing_stored()

    def test_it_needs_a_member_of_staff(self) -> None:
        with self.assertRaises(PermissionError):
            self._save(actor=Actor.system())

        self.assert_nothing_stored()

    def test_it_audits_the_fields_it_changed(self) -> None:
        schedule, baseline = self._save()

        self.assertEqual(schedule.created_by, self.therapist)
        self.assertIsNotNone(baseline)
        created = AuditEvent.objects.get(action="measure_schedule.create")
        self.assertEqual(
            created.detail,
            {"course": self.course.pk, "instruments": ["phq9", "gad7"], "fields": ["instruments"]},
        )

        self._save(
            actor=Actor.for_user(self.therapist2),
            instruments=("gad7", "phq9"),
            monthly_after=False,
        )

        updated = AuditEvent.objects.get(action="measure_schedule.update")
        self.assertEqual(updated.detail["fields"], ["monthly_after"])
        self.assertEqual(MeasureSchedule.objects.get().created_by, self.therapist)
        self.assertEqual(MeasureLink.objects.count(), 1)  # the baseline, once


class SendingRuleTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()

    def setUp(self) -> None:
        self.now = timezone.now()
        self.client_obj = make_client(assigned_therapist=self.therapist)
        self.course = make_course(self.client_obj, self.therapist, status=CourseStatus.ACTIVE)
        self.schedule = MeasureSchedule.objects.create(
            course=self.course,
            instruments=["phq9"],
            at_intake=False,
            before_dosing=False,
            at_integration=False,
            monthly_after=False,
            created_by=self.therapist,
        )

    def _switch(self, **switches: bool) -> None:
        for name, value in switches.items():
            setattr(self.schedule, name, value)
        self.schedule.save()

    def _run(self, moment: dt.datetime | None = None) -> list[MeasureLink]:
        with at(moment or self.now):
            return [item.link for item in schedule_send_due(actor=SYSTEM)]

    def _appointment(
        self,
        session: TreatmentSession,
        starts_at: dt.datetime,
        status: str = AppointmentStatus.SCHEDULED,
    ) -> Appointment:
        return Appointment.objects.create(
            client=self.client_obj,
            clinician=self.therapist,
            type=AppointmentType.KAP_DOSING,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=3),
            status=status,
            session=session,
            created_by=self.therapist,
        )

    # -- at intake --

    def test_it_sends_the_baseline_once(self) -> None:
        self._switch(at_intake=True)

        first = self._run()
        second = self._run()

        self.assertEqual([link.reason for link in first], [Reason.BASELINE])
        self.assertEqual(second, [])
        self.assertEqual(MeasureLink.objects.count(), 1)

    # -- 24 h before dosing --

    def test_it_sends_before_a_dosing_appointment_within_24_hours_once(self) -> None:
        self._switch(before_dosing=True)
        session = make_session(self.course, SessionKind.DOSING)
        self._appointment(session, self.now + dt.timedelta(hours=20))

        first = self._run()
        second = self._run(self.now + dt.timedelta(hours=1))

        [link] = first
        self.assertEqual((link.reason, link.session), (Reason.PRE_DOSING, session))
        self.assertEqual(link.course, self.course)
        self.assertEqual(second, [])

    def test_it_waits_until_the_dosing_appointment_is_24_hours_away(self) -> None:
        self._switch(before_dosing=True)
        session = make_session(self.course, SessionKind.DOSING)
        self._appointment(session, self.now + dt.timedelta(hours=30))

        self.assertEqual(self._run(), [])
        self.assertEqual(len(self._run(self.now + dt.timedelta(hours=7))), 1)

    def test_it_sends_nothing_for_a_cancelled_dosing_appointment(self) -> None:
        self._switch(before_dosing=True)
        session = make_session(self.course, SessionKind.DOSING)
        self._appointment(session, self.now + dt.timedelta(hours=5), AppointmentStatus.CANCELLED)

        self.assertEqual(self._run(), [])

    def test_it_uses_the_planned_date_when_a_dosing_session_has_no_appointment(self) -> None:
        self._switch(before_dosing=True)
        tomorrow = timezone.localdate(self.now) + dt.timedelta(days=1)
        session = make_session(self.course, SessionKind.DOSING, planned_date=tomorrow)
        make_session(self.course, SessionKind.DOSING, planned_date=tomorrow + dt.timedelta(days=7))

        [link] = self._run()

        self.assertEqual(link.session, session)
        self.assertEqual(self._run(), [])

    def test_it_sends_nothing_before_dosing_when_the_switch_is_off(self) -> None:
        session = make_session(self.course, SessionKind.DOSING)
        self._appointment(session, self.now + dt.timedelta(hours=5))

        self.assertEqual(self._run(), [])

    # -- at integration --

    def test_it_sends_at_an_integration_session_started_today_once(self) -> None:
        self._switch(at_integration=True)
        session = make_session(
            self.course,
            SessionKind.INTEGRATION,
            status=SessionStatus.IN_PROGRESS,
            started_at=self.now,
        )

        [link] = self._run()

        self.assertEqual((link.reason, link.session), (Reason.INTEGRATION, session))
        self.assertEqual(self._run(self.now + dt.timedelta(minutes=15)), [])

    def test_it_sends_for_an_integration_session_planned_today(self) -> None:
        self._switch(at_integration=True)
        today = timezone.localdate(self.now)
        make_session(self.course, SessionKind.INTEGRATION, planned_date=today)
        make_session(self.course, SessionKind.INTEGRATION, planned_date=today + dt.timedelta(1))
        make_session(
            self.course,
            SessionKind.INTEGRATION,
            planned_date=today,
            status=SessionStatus.CANCELLED,
        )

        self.assertEqual(len(self._run()), 1)
        self.assertEqual(self._run(), [])

    # -- monthly after the course --

    def test_it_sends_monthly_for_six_months_after_the_course_each_once(self) -> None:
        self._switch(monthly_after=True)
        end = self.now - dt.timedelta(days=1)
        make_session(
            self.course, SessionKind.INTEGRATION, status=SessionStatus.COMPLETED, completed_at=end
        )
        self.course.status = CourseStatus.COMPLETED
        self.course.save()

        self.assertEqual(self._run(), [])  # not a month yet
        sent = 0
        for month in range(1, 9):
            moment = end + dt.timedelta(days=31 * month)
            first = self._run(moment)
            again = self._run(moment + dt.timedelta(minutes=15))
            self.assertEqual(again, [], month)
            sent += len(first)
            if month <= 6:
                self.assertEqual([link.reason for link in first], [Reason.FOLLOW_UP], month)
        self.assertEqual(sent, 6)
        self.assertEqual(MeasureLink.objects.filter(reason=Reason.FOLLOW_UP).count(), 6)

    def test_it_sends_no_follow_up_while_the_course_is_active(self) -> None:
        self._switch(monthly_after=True)
        make_session(
            self.course,
            SessionKind.DOSING,
            status=SessionStatus.COMPLETED,
            completed_at=self.now - dt.timedelta(days=40),
        )

        self.assertEqual(self._run(), [])

    # -- everything --

    def test_it_skips_a_client_without_email(self) -> None:
        self._switch(at_intake=True)
        self.client_obj.email = ""
        self.client_obj.save()

        self.assertEqual(self._run(), [])

    def test_the_command_sends_what_is_due_without_naming_anyone(self) -> None:
        self._switch(at_intake=True)
        out = StringIO()

        with self.captureOnCommitCallbacks(execute=True):
            call_command("send_scheduled_measures", stdout=out)

        self.assertIn("1 measure link(s) sent (baseline: 1)", out.getvalue())
        self.assertNotIn("Bob", out.getvalue())
        [email] = mail.outbox
        self.assertNotIn("PHQ", email.body)
        self.assertNotIn("Bob", email.body)
        out = StringIO()
        call_command("send_scheduled_measures", stdout=out)
        self.assertIn("0 measure link(s) sent", out.getvalue())
