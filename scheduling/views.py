"""The practice calendar: day and week views per clinician and per room, booking,
moving, cancelling, the status workflow, and the clinician's calendar feed link.

Who sees what is in scheduling/access.py. Every change goes through
scheduling/services.py (locks, double-booking refusal, audit), or for the feed
scheduling/feed.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import AuthedRequest, role_required
from accounts.actor import actor_from
from accounts.models import Role, User
from audit.services import log_action
from common.links import absolute_url
from common.timefmt import local_day, local_day_hm
from scheduling import grid, services
from scheduling.access import (
    FEED_ROLES,
    SCHEDULE_ROLES,
    calendar_appointments,
    get_appointment_for_user,
)
from scheduling.feed import active_feeds, calendar_feed_create, calendar_feed_revoke
from scheduling.forms import (
    SCOPE_FOLLOWING,
    AppointmentForm,
    CalendarForm,
    CancelForm,
    MoveForm,
    StatusForm,
    move_initial,
    status_actions,
)
from scheduling.models import (
    APPOINTMENT_TRANSITIONS,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Room,
)
from scheduling.queries import clinicians

NEW_FEED_SESSION_KEY = "scheduling_new_feed_url"
# The calendar a drag or keyboard move came from, to go back to (a path, no PHI).
RETURN_FIELD = "return_to"


def _tz() -> Any:
    return timezone.get_default_timezone()


def _query(**params: Any) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _columns(
    view: str,
    by: str,
    days: list[dt.date],
    clinician: User | None,
    room: Room | None,
    keep: dict[str, Any],
) -> list[grid.Column]:
    today = timezone.localdate()
    if view == "week" or not by:
        label = clinician.display_name if clinician else room.name if room else ""
        return [
            grid.Column(
                key=f"d{d.isoformat()}",
                heading=f"{d:%a} {d.day} {d:%b}" if view == "week" else f"{label}",
                day=d,
                clinician=clinician,
                room=room,
                head_url=_query(**{**keep, "view": "day"}, date=d.isoformat())
                if view == "week"
                else "",
                is_today=d == today,
                view=view,
            )
            for d in days
        ]
    day = days[0]
    if by == "room":
        rooms = Room.objects.filter(active=True) if room is None else [room]
        return [
            grid.Column(
                key=f"r{r.pk}",
                heading=r.name,
                day=day,
                clinician=None,
                room=r,
                head_url=_query(room=r.pk, date=day.isoformat()),
                is_today=day == today,
                view=view,
            )
            for r in rooms
        ]
    people = (
        clinicians().order_by("first_name", "last_name", "pk")
        if clinician is None
        else [clinician]
    )
    return [
        grid.Column(
            key=f"c{c.pk}",
            heading=str(c.display_name),
            day=day,
            clinician=c,
            room=None,
            head_url=_query(clinician=c.pk, date=day.isoformat()),
            is_today=day == today,
            view=view,
        )
        for c in people
    ]


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
    by = (data.get("by") or "") if view == "day" else ""
    if by == "room":
        clinician = None
    elif by == "clinician":
        room = None
    if (
        view == "week"
        and room is None
        and clinician is None
        and request.user.role == Role.THERAPIST
    ):
        clinician = request.user
    if room is not None:
        clinician = None
    if view == "week":
        first = day - dt.timedelta(days=day.weekday())
        days = [first + dt.timedelta(days=i) for i in range(7)]
        step = dt.timedelta(days=7)
    else:
        days, step = [day], dt.timedelta(days=1)
    start, end = grid.midnight(days[0]), grid.midnight(days[-1] + dt.timedelta(days=1))
    keep = {
        "view": view,
        "by": by,
        "clinician": clinician.pk if clinician else None,
        "room": room.pk if room else None,
    }
    chosen = bool(clinician or room or by)
    columns = _columns(view, by, days, clinician, room, keep) if chosen else []
    shown: list[Appointment] = []
    visible: set[int] = set()
    if columns:
        # Those that overlap the days shown. The lower bound on the start (none lasts
        # longer than services.MAX_MINUTES) keeps the read to an index range of these
        # days, rather than every appointment before their end.
        longest = dt.timedelta(minutes=services.MAX_MINUTES)
        # Whether the user may see each one is read in the same query: as many queries
        # for an empty week as for a full one.
        found = calendar_appointments(
            request,
            low=start - longest,
            start=start,
            end=end,
            clinician=clinician,
            room=room.pk if room is not None else None,
            rooms=[c.room.pk for c in columns if c.room] if by == "room" else None,
        )
        shown = list(found)  # as Appointments, for the grid
        visible = {appt.pk for appt in found if appt.theirs}
    the_grid = grid.build(columns, shown, visible, {})
    on_grid = {block.appt.pk for block in the_grid.blocks}
    # Every view of the calendar is audited, an empty one too (what it showed: none).
    detail: dict[str, Any] = {
        "view": view,
        "date": day.isoformat(),
        "appointments": sorted(pk for pk in on_grid if pk in visible),
    }
    if by:
        detail["by"] = by
    log_action(actor_from(request), "schedule.view", room or clinician, detail=detail)
    if not form.errors:
        form = CalendarForm(initial={**keep, "date": day})
    context = {
        "form": form,
        "view": view,
        "by": by,
        "day": day,
        "days": days,
        "grid": the_grid,
        "items": the_grid.blocks,
        "clinician": clinician,
        "room": room,
        "today": timezone.localdate(),
        "prev_url": _query(**keep, date=(day - step).isoformat()),
        "next_url": _query(**keep, date=(day + step).isoformat()),
        "today_url": _query(**keep),
        "other_view_url": _query(
            **{**keep, "view": "day" if view == "week" else "week", "by": ""},
            date=day.isoformat(),
        ),
        "by_clinician_url": _query(view="day", by="clinician", date=day.isoformat()),
        "by_room_url": _query(view="day", by="room", date=day.isoformat()),
        "types": AppointmentType.choices,
        "new_query": _query(clinician=clinician.pk if clinician else None),
        "return_to": request.get_full_path(),
        "return_field": RETURN_FIELD,
    }
    return render(request, "scheduling/calendar.html", context)


def _apply_service_error(form: Form, exc: services.SchedulingError) -> None:
    if isinstance(exc, services.SeriesClash):
        form.add_error(None, str(exc))
        form.add_error("repeat", "Taken: " + "; ".join(exc.refused) + ".")
        for name, message in exc.clashes.items():
            form.add_error(name if name in form.fields else None, message)
        return
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
            weeks = form.cleaned_data.get("repeat") or 1
            try:
                outcome = services.appointment_book_series(
                    actor=actor_from(request), booking=_booking(form.cleaned_data), weeks=weeks
                )
            except services.SchedulingError as exc:
                _apply_service_error(form, exc)
            else:
                if weeks > 1:
                    messages.success(request, f"{weeks} weekly appointments booked.")
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
        "cancel_form": cancel_form or CancelForm(series=appt.series_id is not None),
        "reminders": appt.reminders.order_by("sent_at"),
        "series_position": (
            Appointment.objects.filter(
                series_id=appt.series_id, starts_at__lte=appt.starts_at
            ).count()
            if appt.series_id
            else None
        ),
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


def _return_to(request: AuthedRequest) -> str | None:
    """The calendar page a move from the grid came from, if it is one (a local path)."""
    target = request.POST.get(RETURN_FIELD, "")
    calendar_path = reverse("scheduling:calendar")
    if not target.startswith(calendar_path) or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return target


@require_POST
@role_required(*SCHEDULE_ROLES)
def appointment_move(request: AuthedRequest, pk: int) -> HttpResponse:
    """Move from the appointment page's form, or from the calendar (a drag, or the
    arrow keys and Enter): then the answer is the calendar again, with what happened
    (or why not) in its status message, and the appointment where it was if refused."""
    appt = get_appointment_for_user(request, pk)
    back = _return_to(request)
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
            if back:
                messages.error(request, f"Not moved: this time is already taken. {exc}")
                return redirect(back)
            _apply_service_error(form, exc)
        except services.SchedulingError as exc:
            if back:
                messages.error(request, f"Not moved: {exc}")
                return redirect(back)
            if exc.field is None:  # the appointment's state, not the input: say so above
                messages.error(request, str(exc))
                return redirect(appt)
            _apply_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Appointment moved. It now starts {local_day_hm(outcome.appointment.starts_at)}.",
            )
            for warning in outcome.warnings:
                messages.warning(request, warning)
            return redirect(back or appt)
    elif back:
        problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"Not moved: {problems}")
        return redirect(back)
    return _detail(request, appt, move_form=form)


@require_POST
@role_required(*SCHEDULE_ROLES)
def appointment_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    appt = get_appointment_for_user(request, pk)
    form = CancelForm(request.POST, series=appt.series_id is not None)
    if form.is_valid():
        following = form.cleaned_data.get("scope") == SCOPE_FOLLOWING
        try:
            services.appointment_cancel(
                actor=actor_from(request),
                appointment=appt,
                reason=form.cleaned_data["reason"],
                following=following,
            )
        except services.SchedulingError as exc:
            if exc.field is None:
                messages.error(request, str(exc))
                return redirect(appt)
            _apply_service_error(form, exc)
        else:
            if following:
                messages.success(request, "Appointment and the following ones cancelled.")
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
