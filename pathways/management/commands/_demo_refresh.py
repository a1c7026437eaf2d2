"""Keep the demo current: on a later day, move its dates forward so that "today's"
dosing session is today again.

The anchor is Morgan Ellis's latest dosing session, planned for the day the demo was
seeded (or last moved). When `seed_demo` runs on a later day, every date and time of
the demo's records moves forward by the days between (wall-clock times kept in the
practice's zone), so every record keeps its place relative to today and to the
others: the six months of scores, the referrals' steps, the sessions and their
appointments, the links still open. The week's appointments that book no course
session are removed and booked again for the current week (_demo_week), so the
calendar shows this week whatever the day, and a planned session moved onto a weekend
goes to the Monday after. The same day, nothing changes.

Not moved: the audit trail (append-only: it says when the demo was seeded and
moved), users and sign-in records, the practice's documents and instruments, dates
of birth, and the e-mail outbox. The signed consents and the accounting of
disclosures, which the application never changes, move with the rest here: this is
a development command, refused in production, and a demo's past is invented as a
whole (see `_shifted_queryset`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from scheduling.models import Appointment
from treatment.models import SessionKind, SessionStatus, TreatmentSession

MOVED_APPS = (
    "clients",
    "intake",
    "consents",
    "partners",
    "prescriptions",
    "treatment",
    "dosing",
    "bls",
    "measures",
    "scheduling",
    "amendments",
    "interop",
)
KEPT_MODELS = {
    "consents.consentdocument",
    "measures.instrument",
    "scheduling.room",
    "scheduling.workinghours",
    "scheduling.calendarfeed",
}
KEPT_FIELDS = {"date_of_birth"}


def anchor_day() -> dt.date | None:
    """The day of the demo's "today" dosing session (Morgan Ellis's latest)."""
    session = (
        TreatmentSession.objects.filter(
            course__client__first_name="Morgan",
            course__client__last_name="Ellis",
            kind=SessionKind.DOSING,
            planned_date__isnull=False,
        )
        .order_by("-planned_date")
        .first()
    )
    return session.planned_date if session else None


def days_behind() -> int:
    """How many days the demo's "today" is behind today (0 when current or ahead)."""
    day = anchor_day()
    return max((timezone.localdate() - day).days, 0) if day else 0


def _moved(value: Any, days: int) -> Any:
    step = dt.timedelta(days=days)
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value).replace(tzinfo=None)
        return timezone.make_aware(local + step)
    return value + step


def _shifted_queryset(model: type[models.Model]) -> models.QuerySet[Any]:
    """A plain queryset: SignedConsent's and Disclosure's own managers refuse any
    bulk update, as the application must; the demo moves its invented past whole."""
    return models.QuerySet(model=model)


def _date_fields(model: type[models.Model]) -> list[str]:
    return [
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField) and field.name not in KEPT_FIELDS
    ]


def move_forward(days: int) -> int:
    """Move every date of the demo's records `days` days later; returns the rows moved."""
    moved = 0
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in MOVED_APPS or meta.label_lower in KEPT_MODELS:
            continue
        names = _date_fields(model)
        if not names:
            continue
        rows = _shifted_queryset(model)
        for row in rows.values("pk", *names):
            changes = {name: _moved(row[name], days) for name in names if row[name] is not None}
            if changes:
                rows.filter(pk=row["pk"]).update(**changes)
                moved += 1
    return moved


def off_the_weekend() -> int:
    """Move a planned session the shift put on a Saturday or Sunday (and its
    appointment) to the Monday after: the practice is open Monday to Friday. Past
    sessions keep their day, with everything recorded in them. Returns how many moved."""
    today = timezone.localdate()
    moved = 0
    booked = Appointment.objects.filter(
        session__isnull=False, session__status=SessionStatus.PLANNED
    ).select_related("session")
    for appointment in booked:
        day = timezone.localdate(appointment.starts_at)
        if day <= today or day.weekday() < 5:
            continue
        days = 7 - day.weekday()
        Appointment.objects.filter(pk=appointment.pk).update(
            starts_at=_moved(appointment.starts_at, days),
            ends_at=_moved(appointment.ends_at, days),
        )
        session = appointment.session
        assert session is not None  # noqa: S101 (filtered above)
        TreatmentSession.objects.filter(pk=session.pk).update(
            planned_date=day + dt.timedelta(days=days)
        )
        moved += 1
    return moved
