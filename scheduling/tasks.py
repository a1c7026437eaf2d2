"""Background tasks of the schedule (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from accounts.actor import Actor
from scheduling.reminders import reminder_deliver


@task()
def reminder_send(appointment_id: int, kind: str) -> str:
    """Send one reminder if the appointment is still scheduled, the reminder is due
    and it has not gone yet (scheduled at booking with run_after; see services)."""
    return reminder_deliver(actor=Actor.system(), appointment_id=appointment_id, kind=kind)
