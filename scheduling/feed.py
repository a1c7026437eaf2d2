"""A clinician's calendar subscription (iCalendar, RFC 5545), at a secret URL.

The token in the URL is the key: only its SHA-256 is stored, and the clinician
can revoke it (or replace it) from /staff/schedule/feed/. Calendar apps copy
events to phones and cloud services, so an event carries no client name, e-mail
or type of therapy: SUMMARY is "Session" with the client's initials, LOCATION is
the room, and there is no DESCRIPTION.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from accounts.actor import Actor
from audit.services import log_action
from clients.models import Client
from common.ip import client_ip
from common.tokens import token_hash
from scheduling.models import Appointment, AppointmentStatus, CalendarFeed

DAYS_BACK, DAYS_AHEAD = 30, 180
ICAL_STATUS: dict[str, str] = {
    AppointmentStatus.SCHEDULED: "CONFIRMED",
    AppointmentStatus.ARRIVED: "CONFIRMED",
    AppointmentStatus.IN_SESSION: "CONFIRMED",
    AppointmentStatus.COMPLETED: "CONFIRMED",
    AppointmentStatus.NO_SHOW: "CONFIRMED",
}


def initials(client: Client) -> str:
    letters = [
        next((c for c in name if c.isalnum()), "")
        for name in (client.first_name, client.last_name)
    ]
    return "".join(f"{c.upper()}." for c in letters if c)


def summary(appt: Appointment) -> str:
    mark = initials(appt.client)
    return f"Session ({mark})" if mark else "Session"


def build_calendar(appointments: Iterable[Appointment], now: dt.datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Pathways//Practice schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Pathways sessions")
    stamp = now.astimezone(dt.UTC)
    for appt in appointments:
        event = Event()
        event.add("uid", f"appt-{appt.pk}@pathways")
        event.add("dtstamp", stamp)
        event.add("dtstart", appt.starts_at.astimezone(dt.UTC))
        event.add("dtend", appt.ends_at.astimezone(dt.UTC))
        event.add("summary", summary(appt))
        if appt.room is not None:
            event.add("location", appt.room.name)
        event.add("status", ICAL_STATUS.get(appt.status, "CONFIRMED"))
        event.add("transp", "OPAQUE")
        event.add("class", "PRIVATE")
        cal.add_component(event)
    return cal.to_ical()


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    found = (
        CalendarFeed.objects.select_related("clinician")
        .filter(token_hash=token_hash(token), revoked_at=None, clinician__is_active=True)
        .first()
    )
    if found is None:
        raise Http404
    now = timezone.now()
    appointments = list(
        Appointment.objects.filter(
            clinician=found.clinician,
            starts_at__gte=now - dt.timedelta(days=DAYS_BACK),
            starts_at__lt=now + dt.timedelta(days=DAYS_AHEAD),
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("client", "room")
        .order_by("starts_at", "pk")
    )
    # The subscriber's calendar app, not a signed-in session: the feed's owner acts.
    log_action(
        Actor.for_user(found.clinician, client_ip(request)),
        "calendar_feed.read",
        found,
        detail={"appointments": [a.pk for a in appointments]},
    )
    response = HttpResponse(build_calendar(appointments, now), content_type="text/calendar")
    response["Content-Type"] = "text/calendar; charset=utf-8"
    response["Content-Disposition"] = 'inline; filename="pathways.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response
