"""The appointments section of the client page, and its timeline entries."""

from __future__ import annotations

from django.utils import timezone

from accounts.access import AuthedRequest
from clients.models import Client
from clients.panels import Panel, TimelineEntry
from scheduling.access import SCHEDULE_ROLES
from scheduling.models import Appointment, AppointmentStatus

PAST_SHOWN = 10
# Timestamp field → what the timeline says (no free text: never the cancel reason).
STEPS = [
    ("arrived_at", "arrived"),
    ("in_session_at", "in session"),
    ("completed_at", "completed"),
    ("cancelled_at", "cancelled"),
    ("no_show_at", "no-show"),
]


def appointments_panel(request: AuthedRequest, client: Client) -> Panel | None:
    if request.user.role not in SCHEDULE_ROLES:
        return None
    now = timezone.now()
    appointments = client.appointments.select_related("clinician", "room")
    upcoming = appointments.filter(ends_at__gte=now).exclude(status=AppointmentStatus.CANCELLED)
    past = appointments.exclude(pk__in=upcoming.values("pk")).order_by("-starts_at", "-pk")
    context = {
        "upcoming": list(upcoming.order_by("starts_at", "pk")),
        "past": list(past[:PAST_SHOWN]),
        "past_more": past.count() > PAST_SHOWN,
    }
    return Panel(template="scheduling/_client_panel.html", context=context)


def appointment_entries(client: Client) -> list[TimelineEntry]:
    entries = []
    for appt in Appointment.objects.filter(client=client):
        label = appt.get_type_display()
        url = appt.get_absolute_url()
        entries.append(
            TimelineEntry(appt.created_at, "appointment", f"{label} appointment booked", url)
        )
        for name, text in STEPS:
            at = getattr(appt, name)
            if at is not None:
                entries.append(
                    TimelineEntry(at, "appointment", f"{label} appointment {text}", url)
                )
    return entries
