"""Appointment reminders by e-mail, 48 h and 24 h before.

A reminder is due only inside its window: the 48 h one between 48 and 24 hours
before the start, the 24 h one in the last 24 hours. So a client booked for
tomorrow gets one reminder, not two at once. A `Reminder` row per kind and start
time makes each go once; a moved appointment is reminded again with its new time;
a cancelled (or any no-longer-scheduled) one gets nothing.

What the e-mail holds is what the client needs and no more: the practice, the
date and time in the practice's time zone, the address and phone; for a dosing
session also the fasting and medication-hold instructions of the active
prescription, and the ride-home / no-driving rule. Never the client's name, a
diagnosis, the type of therapy, a drug name or a dose (beyond what the prescriber
wrote in the holds instructions for the client to follow).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from audit.services import log_action
from common.timefmt import local, local_clock
from notifications.services import email_queue
from prescriptions.queries import active_prescription_for
from scheduling.models import Appointment, AppointmentStatus, Reminder

logger = logging.getLogger(__name__)

REMINDER_HOURS: dict[str, int] = {Reminder.Kind.H48: 48, Reminder.Kind.H24: 24}
TEMPLATE = "notifications/email/reminder"
# Discharge after a ketamine session: a responsible adult escort takes the client
# home, and no driving until the next day after sleep (../shared/clinical-reference.md,
# "KAP practice facts", Discharge; from the Spravato label and REMS form).
RIDE_RULE = (
    "Arrange for an adult to take you home after the session: you must not drive "
    "yourself. Do not drive until the next day."
)


def due_kind(appt: Appointment, now: dt.datetime) -> str | None:
    """The reminder whose window `now` falls in, or None."""
    left = appt.starts_at - now
    if left <= dt.timedelta(0):
        return None
    if left <= dt.timedelta(hours=REMINDER_HOURS[Reminder.Kind.H24]):
        return Reminder.Kind.H24
    if left <= dt.timedelta(hours=REMINDER_HOURS[Reminder.Kind.H48]):
        return Reminder.Kind.H48
    return None


def reminder_context(appt: Appointment) -> dict[str, Any]:
    start = local(appt.starts_at)
    context: dict[str, Any] = {
        "practice": settings.PRACTICE_NAME,
        "address": settings.PRACTICE_ADDRESS,
        "phone": settings.PRACTICE_PHONE,
        "day": f"{start:%A, %B} {start.day}, {start.year}",
        "short_day": f"{start:%a %b} {start.day}",
        "start": local_clock(appt.starts_at),
        "end": local_clock(appt.ends_at),
        "tz": start.tzname(),
        "dosing": appt.is_dosing,
    }
    if appt.is_dosing:
        rx = active_prescription_for(appt.client_id, start.date())
        context.update(
            has_prescription=rx is not None,
            fasting=rx.fasting_summary() if rx else "",
            holds=rx.holds_summary() if rx else "",
            ride_rule=RIDE_RULE,
        )
    return context


def reminder_deliver(
    *, actor: Actor, appointment_id: int, kind: str, now: dt.datetime | None = None
) -> str:
    """Queue the `kind` reminder of one appointment if it is due and not yet sent.
    The actor is the practice's own scheduled work (`Actor.system()`).

    Returns what happened ("sent", "not-due", "already-sent", …), for the task
    result and the command's summary. Safe to run twice at once: the appointment
    row is locked and the Reminder row is unique.
    """
    now = now or timezone.now()
    with transaction.atomic():
        appt = (
            Appointment.objects.select_for_update()
            .select_related("client")
            .filter(pk=appointment_id)
            .first()
        )
        if appt is None:
            return "missing"
        if appt.status != AppointmentStatus.SCHEDULED:
            return "not-scheduled"
        if due_kind(appt, now) != kind:
            return "not-due"
        if Reminder.objects.filter(
            appointment=appt, kind=kind, for_starts_at=appt.starts_at
        ).exists():
            return "already-sent"
        if not appt.client.email:
            # Ids only: the address (or its absence) stays out of the log.
            logger.info("appointment %s has no e-mail for its %s reminder", appt.pk, kind)
            return "no-email"
        Reminder.objects.create(appointment=appt, kind=kind, for_starts_at=appt.starts_at)
        email = email_queue(
            to=appt.client.email, template=TEMPLATE, context=reminder_context(appt)
        )
        log_action(
            actor,
            "appointment.reminder",
            appt,
            client=appt.client,
            detail={"kind": kind, "email": email.pk},
        )
    return "sent"


def due_reminders(now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """(appointment id, kind) of every reminder due now and not yet sent."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(hours=max(REMINDER_HOURS.values()))
    upcoming = Appointment.objects.filter(
        status=AppointmentStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=horizon
    ).order_by("starts_at", "pk")
    sent = {
        (r.appointment_id, r.kind, r.for_starts_at)
        for r in Reminder.objects.filter(appointment__in=upcoming)
    }
    due = []
    for appt in upcoming:
        kind = due_kind(appt, now)
        if kind and (appt.pk, kind, appt.starts_at) not in sent:
            due.append((appt.pk, kind))
    return due
