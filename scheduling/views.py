"""The practice calendar: day and week views per clinician and per room, booking,
moving, cancelling, the status workflow, and the clinician's calendar feed link.

Who sees what is in scheduling/access.py. Every change goes through
scheduling/services.py (locks, double-booking refusal, audit), or for the feed
scheduling/feed.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import AuthedRequest, role_required
from accounts.actor import actor_from
from accounts.models import Role, User
from audit.services import log_action
from common.links import absolute_url
from common.timefmt import local_day
from scheduling import services
from scheduling.access import (
    FEED_ROLES,
    SCHEDULE_ROLES,
    appointments_for_user,
    get_appointment_for_user,
)
from scheduling.feed import active_feeds, calendar_feed_create, calendar_feed_revoke
from scheduling.forms import (
    AppointmentForm,
    CalendarForm,
    CancelForm,
    MoveForm,
    StatusForm,
    move_initial,
    status_actions,
)
from scheduling.models import APPOINTMENT_TRANSITIONS, Appointment, AppointmentStatus, Room

NEW_FEED_SESSION_KEY = "scheduling_new_feed_url"
FIRST_HOUR, LAST_HOUR = 8, 18  # the grid always shows at least 08:00–18:59


def _tz() -> Any:
    return timezone.get_default_timezone()


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), _tz())


@dataclass
class Item:
    appt: Appointment
    visible: bool
    start: dt.datetime
    end: dt.datetime


@dataclass
class Row:
    hour: int
    cells: list[list[Item]] = field(default_factory=list)


def _grid(days: list[dt.date], items: list[Item]) -> list[Row]:
    """One row per hour, one cell per day; each item in the cell of its start."""
    first_day = _midnight(days[0])
    starts = [max(item.start, first_day) for item in items]
    hours = [s.hour for s in starts]
    low = min([FIRST_HOUR, *hours])
    high = max([LAST_HOUR, *hours])
    rows = {hour: Row(hour, [[] for _ in days]) for hour in range(low, high + 1)}
    index = {day: i for i, day in enumerate(days)}
    for item, start in zip(items, starts, strict=True):
        rows[start.hour].cells[index[start.date()]].append(item)
    return [rows[h] for h in sorted(rows)]


def _query(**params: Any) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@require_GET
@role_required(*SCHEDULE_ROLES)
def calendar(request: AuthedRequest) -> HttpResponse:
    form = CalendarForm(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # the fields that parsed are used; the others show their error
        data = form.cleaned_data
    view = data.get("view") or "week"
    day = data.get("date") or timezone.localdate()
    room: Room | None = data.get("room")
    clinician: User | None = data.get("clinician")
    if room is None and clinician is None and request.user.role == Role.THERAPIST:
        clinician = request.user
    if room is not None:
        clinician = None
    if view == "week":
        first = day - dt.timedelta(days=day.weekday())
        days = [first + dt.timedelta(days=i) for i in range(7)]
        step = dt.timedelta(days=7)
    else:
        days, step = [day], dt.timedelta(days=1)
    start, end = _midnight(days[0]), _midnight(days[-1] + dt.timedelta(days=1))

    items: list[Item] = []
    if clinician or room:
        shown = Appointment.objects.filter(starts_at__lt=end, ends_at__gt=start).exclude(
            status=AppointmentStatus.CANCELLED
        )
        shown = shown.filter(room=room) if room else shown.filter(clinician=clinician)
        shown = shown.select_related("client", "clinician", "room").order_by("starts_at", "pk")
        visible = set(
            appointments_for_user(request)
            .filter(pk__in=[a.pk for a in shown])
            .values_list("pk", flat=True)
        )
        items = [
            Item(
                a,
                a.pk in visible,
                timezone.localtime(a.starts_at, _tz()),
                timezone.localtime(a.ends_at, _tz()),
            )
            for a in shown
        ]
    # Every view of the calendar is audited, an empty one too (what it showed: none).
    log_action(
        actor_from(request),
        "schedule.view",
        room or clinician,
        detail={
            "view": view,
            "date": day.isoformat(),
            "appointments": sorted(item.appt.pk for item in items if item.visible),
        },
    )
    keep = {
        "view": view,
        "clinician": clinician.pk if clinician else None,
        "room": room.pk if room else None,
    }
    if not form.errors:
        form = CalendarForm(initial={**keep, "date": day})
    context = {
        "form": form,
        "view": view,
        "day": day,
        "days": days,
        "rows": _grid(days, items),
        "items": items,
        "clinician": clinician,
        "room": room,
        "today": timezone.localdate(),
        "prev_url": _query(**keep, date=(day - step).isoformat()),
        "next_url": _query(**keep, date=(day + step).isoformat()),
        "today_url": _query(**keep),
        "other_view_url": _query(
            **{**keep, "view": "day" if view == "week" else "week"}, date=day.isoformat()
        ),
        "day_heads": [(d, _query(**{**keep, "view": "day"}, date=d.isoformat())) for d in days],
        "new_query": _query(clinician=clinician.pk if clinician else None),
    }
    return render(request, "scheduling/calendar.html", context)


def _apply_service_error(form: Form, exc: services.SchedulingError) -> None:
    if isinstance(exc, services.BookingClash):
        form.add_error(None, "This time is already taken. " + str(exc))
        for name, message in exc.clashes.items():
            form.add_error(name if name in form.fields else None, message)
        return
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


def _booking(data: dict[str, Any]) -> services.Booking:
    return services.Booking(
        client=data["client"],
        clinician=data["clinician"],
        type=data["type"],
        starts_at=data["starts_at"],
        ends_at=data.get("ends_at"),
        room=data["room"],
        session=data["session"],
    )


@require_http_methods(["GET", "POST"])
@role_required(*SCHEDULE_ROLES)
def appointment_new(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        form = AppointmentForm(request, request.POST)
        if form.is_valid():
            try:
                outcome = services.appointment_book(
                    actor=actor_from(request), booking=_booking(form.cleaned_data)
                )
            except services.SchedulingError as exc:
                _apply_service_error(form, exc)
            else:
                messages.success(request, "Appointment booked.")
                for warning in outcome.warnings:
                    messages.warning(request, warning)
                return redirect(outcome.appointment)
    else:
        keys = ("client", "clinician", "room", "type", "date", "start", "session")
        initial: dict[str, Any] = {k: request.GET[k] for k in keys if request.GET.get(k)}
        if "clinician" not in initial and request.user.role == Role.THERAPIST:
            initial["clinician"] = request.user.pk
        form = AppointmentForm(request, initial=initial)
    # The form's client list names every client the user may see, with their date of
    # birth: showing it is a PHI read. The trail keeps how many, never who.
    listed = form.fields["client"].queryset.count()  # type: ignore[attr-defined]
    log_action(actor_from(request), "appointment.form_view", detail={"clients_listed": listed})
    return render(request, "scheduling/appointment_form.html", {"form": form})


def _detail(
    request: AuthedRequest,
    appt: Appointment,
    move_form: MoveForm | None = None,
    cancel_form: CancelForm | None = None,
) -> HttpResponse:
    log_action(actor_from(request), "appointment.view", appt, client=appt.client)
    tz = _tz()
    context = {
        "appt": appt,
        "client": appt.client,
        "starts": timezone.localtime(appt.starts_at, tz),
        "ends": timezone.localtime(appt.ends_at, tz),
        "actions": status_actions(appt.status),
        "can_move": appt.status == AppointmentStatus.SCHEDULED,
        "can_cancel": AppointmentStatus.CANCELLED in APPOINTMENT_TRANSITIONS[appt.status],
        "move_form": move_form or MoveForm(initial=move_initial(appt)),
        "cancel_form": cancel_form or CancelForm(),
        "reminders": appt.reminders.order_by("sent_at"),
        "week_url": _query(
            clinician=appt.clinician_id,
            date=local_day(appt.starts_at),
        ),
    }
    return render(request, "scheduling/appointment.html", context)


@require_GET
@role_required(*SCHEDULE_ROLES)
def appointment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, get_appointment_for_user(request, pk))


@require_POST
@role_required(*SCHEDULE_ROLES)
def appointment_move(request: AuthedRequest, pk: int) -> HttpResponse:
    appt = get_appointment_for_user(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            outcome = services.appointment_move(
                actor=actor_from(request),
                appointment=appt,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                clinician=data["clinician"],
                room=data["room"],
            )
        except services.BookingClash as exc:
            _apply_service_error(form, exc)
        except services.SchedulingError as exc:
            if exc.field is None:  # the appointment's state, not the input: say so above
                messages.error(request, str(exc))
                return redirect(appt)
            _apply_service_error(form, exc)
        else:
            messages.success(request, "Appointment moved.")
            for warning in outcome.warnings:
                messages.warning(request, warning)
            return redirect(appt)
    return _detail(request, appt, move_form=form)


@require_POST
@role_required(*SCHEDULE_ROLES)
def appointment_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    appt = get_appointment_for_user(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_cancel(
                actor=actor_from(request), appointment=appt, reason=form.cleaned_data["reason"]
            )
        except services.SchedulingError as exc:
            if exc.field is None:
                messages.error(request, str(exc))
                return redirect(appt)
            _apply_service_error(form, exc)
        else:
            messages.success(request, "Appointment cancelled.")
            return redirect(appt)
    return _detail(request, appt, cancel_form=form)


@require_POST
@role_required(*SCHEDULE_ROLES)
def appointment_status(request: AuthedRequest, pk: int) -> HttpResponse:
    appt = get_appointment_for_user(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the status buttons.")
        return redirect(appt)
    try:
        services.appointment_set_status(
            actor=actor_from(request), appointment=appt, status=form.cleaned_data["status"]
        )
    except services.SchedulingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Marked {appt.get_status_display().lower()}.")
    return redirect(appt)


# --- The clinician's calendar subscription ------------------------------------


@require_GET
@role_required(*FEED_ROLES)
def feed_page(request: AuthedRequest) -> HttpResponse:
    # The new URL is shown once, right after it is made, then forgotten.
    new_url = request.session.pop(NEW_FEED_SESSION_KEY, None)
    context = {"active": active_feeds(request.user).first(), "new_url": new_url}
    return render(request, "scheduling/feed.html", context)


@require_POST
@role_required(*FEED_ROLES)
def feed_create(request: AuthedRequest) -> HttpResponse:
    """Make a new secret URL; any older one stops working at once."""
    token = calendar_feed_create(actor=actor_from(request))
    url = absolute_url("calendar_feed:feed", token)
    request.session[NEW_FEED_SESSION_KEY] = url
    return redirect("scheduling:feed")


@require_POST
@role_required(*FEED_ROLES)
def feed_revoke(request: AuthedRequest) -> HttpResponse:
    revoked = calendar_feed_revoke(actor=actor_from(request))
    request.session.pop(NEW_FEED_SESSION_KEY, None)
    if revoked:
        messages.success(request, "Calendar feed revoked: the old link no longer works.")
    else:
        messages.info(request, "There was no calendar feed to revoke.")
    return redirect("scheduling:feed")
