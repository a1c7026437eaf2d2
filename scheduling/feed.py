"""A clinician's calendar subscription (iCalendar, RFC 5545), at a secret URL.

The token in the URL is the key: only its SHA-256 is stored, and the clinician
can revoke it (or replace it) from /staff/schedule/feed/. Calendar apps copy
events to phones and cloud services, so an event carries no client name, e-mail
or type of therapy: SUMMARY is "Session" with the client's initials, LOCATION is
the room's neutral feed label (never its name, which may say "dosing suite"), and
there is no DESCRIPTION.

`calendar_feed_create` and `calendar_feed_revoke` are the writes (audited); `feed` is
the subscriber's read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from accounts.actor import Actor
from accounts.models import Role, User
from audit.services import log_action
from clients.models import Client
from common.ip import client_ip
from common.tokens import new_token, token_hash
from scheduling.access import FEED_ROLES
from scheduling.models import Appointment, AppointmentStatus, CalendarFeed
from scheduling.services import SchedulingError

DAYS_BACK, DAYS_AHEAD = 30, 180
ICAL_STATUS: dict[str, str] = {
    AppointmentStatus.SCHEDULED: "CONFIRMED",
    AppointmentStatus.ARRIVED: "CONFIRMED",
    AppointmentStatus.IN_SESSION: "CONFIRMED",
    AppointmentStatus.COMPLETED: "CONFIRMED",
    AppointmentStatus.NO_SHOW: "CONFIRMED",
}


def active_feeds(user: User) -> QuerySet[CalendarFeed]:
    return CalendarFeed.objects.filter(clinician=user, revoked_at=None)


def _clinician(actor: Actor) -> User:
    user = actor.staff
    if user.role not in FEED_ROLES:
        raise SchedulingError("Only a clinician has a calendar feed.")
    return user


def calendar_feed_create(*, actor: Actor) -> str:
    """Make the clinician a new secret feed token and return it (only its hash is
    kept); any older feed of theirs stops working at once."""
    clinician = _clinician(actor)
    token = new_token()
    with transaction.atomic():
        revoked = active_feeds(clinician).update(revoked_at=timezone.now())
        feed = CalendarFeed.objects.create(clinician=clinician, token_hash=token_hash(token))
        log_action(actor, "calendar_feed.create", feed, detail={"revoked": revoked})
    return token


def _revoke(actor: Actor, feeds: QuerySet[CalendarFeed]) -> int:
    with transaction.atomic():
        in_force = list(feeds.filter(revoked_at=None))
        for found in in_force:
            found.revoked_at = timezone.now()
            found.save(update_fields=["revoked_at"])
            log_action(actor, "calendar_feed.revoke", found)
    return len(in_force)


def calendar_feed_revoke(*, actor: Actor) -> int:
    """Revoke the clinician's own feed (audited); returns how many there were."""
    return _revoke(actor, active_feeds(_clinician(actor)))


def calendar_feeds_revoke(*, actor: Actor, feeds: QuerySet[CalendarFeed]) -> int:
    """Revoke any clinician's feeds (the Django admin's action, practice admin only)."""
    if actor.staff.role != Role.ADMIN:
        raise SchedulingError("Only the practice admin revokes another clinician's feed.")
    return _revoke(actor, feeds)


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
        if appt.room is not None and appt.room.feed_label:
            event.add("location", appt.room.feed_label)
        event.add("status", ICAL_STATUS.get(appt.status, "CONFIRMED"))
        event.add("transp", "OPAQUE")
        event.add("class", "PRIVATE")
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical


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
