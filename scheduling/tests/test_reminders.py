from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.backends.dummy import DummyBackend

from accounts.actor import Actor
from audit.models import AuditEvent
from notifications.models import OutboundEmail
from partners.models import ReferralStatus
from pathways.testing import BaseTestCase, make_client, make_prescription, make_referral
from scheduling.models import Appointment, AppointmentStatus, Reminder
from scheduling.reminders import RIDE_RULE, reminder_deliver
from scheduling.services import appointment_book, appointment_move
from scheduling.tasks import reminder_send
from scheduling.tests.factories import make_appointment, make_room
from scheduling.tests.support import booking


def run_command() -> str:
    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    return out.getvalue()


def deliver(appointment_id: int, kind: str, now: dt.datetime | None = None) -> str:
    return reminder_deliver(
        actor=Actor.system(), appointment_id=appointment_id, kind=kind, now=now
    )


def hours_from_now(hours: float) -> dt.datetime:
    start = timezone.now() + dt.timedelta(hours=hours)
    return start.replace(second=0, microsecond=0)


class RemindersTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Dana",
            last_name="Scully",
            email="dana@example.com",
            assigned_therapist=self.therapist,
        )
        self.room = make_room("Garden room")

    def appointment(self, hours: float, **extra: Any) -> Appointment:
        return make_appointment(self.record, self.therapist, hours_from_now(hours), **extra)

    def prescribe(self, **extra: Any) -> None:
        referral = make_referral(
            self.record, self.partner, self.therapist, status=ReferralStatus.ELIGIBLE
        )
        make_prescription(referral, self.prescriber, **extra)

    def test_it_sends_the_48_hour_reminder_with_time_place_and_phone(self) -> None:
        appt = self.appointment(47)

        out = run_command()

        assert out.strip() == "Reminders: 1 sent."
        email = OutboundEmail.objects.get()
        assert email.to == "dana@example.com"
        local = timezone.localtime(appt.starts_at)
        when = local.strftime("%I:%M %p").lstrip("0")
        assert when in email.subject
        assert f"{local:%A, %B} {local.day}, {local.year}, {when}" in email.body
        zone = local.tzname()
        assert zone is not None
        assert zone in email.body  # EST or EDT: the practice's time zone
        assert "100 Example Street" in email.body
        assert "(555) 010-0100" in email.body
        reminder = Reminder.objects.get()
        assert (reminder.kind, reminder.for_starts_at) == ("48h", appt.starts_at)

    def test_it_sends_the_24_hour_reminder_in_the_last_day(self) -> None:
        self.appointment(23)

        run_command()

        assert list(Reminder.objects.values_list("kind", flat=True)) == ["24h"]
        assert OutboundEmail.objects.count() == 1

    def test_it_sends_nothing_more_than_48_hours_ahead_or_after_the_start(self) -> None:
        self.appointment(49)
        self.appointment(-1)

        assert run_command().strip() == "Reminders: none due."
        assert OutboundEmail.objects.count() == 0

    def test_it_never_sends_the_same_reminder_twice(self) -> None:
        appt = self.appointment(30)

        run_command()
        run_command()
        again = deliver(appt.pk, "48h")

        assert again == "already-sent"
        assert OutboundEmail.objects.count() == 1

    def test_it_sends_both_reminders_over_time(self) -> None:
        appt = self.appointment(47)

        deliver(appt.pk, "48h")
        later = timezone.now() + dt.timedelta(hours=25)
        assert deliver(appt.pk, "24h", now=later) == "sent"

        assert sorted(Reminder.objects.values_list("kind", flat=True)) == ["24h", "48h"]

    def test_it_does_not_remind_a_cancelled_or_no_show_appointment(self) -> None:
        self.appointment(30, status=AppointmentStatus.CANCELLED)
        self.appointment(20, status=AppointmentStatus.NO_SHOW)

        run_command()

        assert OutboundEmail.objects.count() == 0
        assert Reminder.objects.count() == 0

    def test_a_task_for_a_cancelled_appointment_does_nothing(self) -> None:
        appt = self.appointment(30)
        Appointment.objects.filter(pk=appt.pk).update(status=AppointmentStatus.CANCELLED)

        assert reminder_send.call(appt.pk, "48h") == "not-scheduled"
        assert OutboundEmail.objects.count() == 0

    def test_a_task_that_runs_outside_its_window_does_nothing(self) -> None:
        # Queued for the old time; the appointment has since moved later.
        appt = self.appointment(100)

        assert reminder_send.call(appt.pk, "48h") == "not-due"
        assert reminder_send.call(appt.pk, "24h") == "not-due"
        assert OutboundEmail.objects.count() == 0

    def test_a_moved_appointment_is_reminded_of_its_new_time(self) -> None:
        appt = self.appointment(40, room=self.room)
        run_command()

        new_start = hours_from_now(44)
        appointment_move(
            actor=Actor.for_user(self.intake),
            appointment=appt,
            starts_at=new_start,
            ends_at=new_start + dt.timedelta(minutes=50),
            clinician=self.therapist,
            room=self.room,
        )
        run_command()

        bodies = list(OutboundEmail.objects.order_by("pk").values_list("body", flat=True))
        assert len(bodies) == 2
        new_time = timezone.localtime(new_start).strftime("%I:%M %p").lstrip("0")
        assert new_time in bodies[1]

    def test_it_skips_a_client_without_an_e_mail_address(self) -> None:
        self.record.email = ""
        self.record.save()
        appt = self.appointment(30)

        assert deliver(appt.pk, "48h") == "no-email"
        assert Reminder.objects.count() == 0

    def test_a_dosing_reminder_carries_the_prescriptions_instructions_and_the_ride_rule(
        self,
    ) -> None:
        self.prescribe(
            fasting_instructions="No food for 4 hours before; clear fluids until 2 hours before.",
            holds_instructions="Skip your evening lamotrigine the day before.",
        )
        self.appointment(30, type="kap_dosing", minutes=180)

        run_command()

        body = OutboundEmail.objects.get().body
        assert "No food for 4 hours before; clear fluids until 2 hours before." in body
        assert "Skip your evening lamotrigine the day before." in body
        assert RIDE_RULE in body
        assert "Do not drive until the next day." in body

    def test_a_dosing_reminder_without_a_prescription_still_has_the_ride_rule(self) -> None:
        self.appointment(30, type="ka_emdr_dosing", minutes=180)

        run_command()

        body = OutboundEmail.objects.get().body
        assert RIDE_RULE in body
        assert "If you have not heard from us, please call." in body

    def test_a_non_dosing_reminder_has_no_dosing_instructions(self) -> None:
        self.prescribe()
        self.appointment(30, type="integration")

        run_command()

        body = OutboundEmail.objects.get().body
        assert "No food for 4 hours" not in body
        assert "benzodiazepines" not in body
        assert "drive" not in body

    def test_a_reminder_holds_no_name_diagnosis_drug_or_type(self) -> None:
        self.prescribe()
        self.appointment(30, type="kap_dosing", minutes=180, room=self.room)

        run_command()

        email = OutboundEmail.objects.get()
        text = (email.subject + email.body).lower()
        for word in (
            "dana",
            "scully",
            "theo",
            "ketamine",
            "kap",
            "emdr",
            "dosing",
            "dose",
            "mg",
            "sublingual",
            "depress",
            "f33",
            "garden room",
        ):
            assert word not in text, word

    def test_it_audits_the_reminder_with_ids_only(self) -> None:
        appt = self.appointment(30)

        run_command()

        event = AuditEvent.objects.get(action="appointment.reminder")
        email = OutboundEmail.objects.get()
        assert (event.object_id, event.client_id, event.actor) == (
            str(appt.pk),
            self.record.pk,
            None,
        )
        assert event.detail == {"kind": "48h", "email": email.pk}

    def test_the_queued_e_mail_is_delivered(self) -> None:
        self.appointment(30)

        with self.captureOnCommitCallbacks(execute=True):
            run_command()

        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["dana@example.com"]

    @override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
    def test_booking_queues_both_reminders_for_their_time_when_the_backend_can_defer(
        self,
    ) -> None:
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        assert isinstance(backend, DummyBackend)
        backend.clear()
        start = hours_from_now(24 * 5)

        with self.captureOnCommitCallbacks(execute=True):
            appointment_book(
                actor=Actor.for_user(self.intake),
                booking=booking(self.record, self.therapist, start),
            )

        # The booking's e-mail to the client is queued too (scheduling/notices.py).
        queued = sorted(
            (r.args[1], r.task.run_after)
            for r in backend.results
            if r.task.module_path == reminder_send.module_path
        )
        assert queued == [
            ("24h", start - dt.timedelta(hours=24)),
            ("48h", start - dt.timedelta(hours=48)),
        ]
