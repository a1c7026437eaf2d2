"""Re-running seed_demo on a later day moves the demo to today; the same day it
changes nothing (issue 11 §6: "the demo never goes stale"). With a fixed clock."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from unittest import mock

from django.apps import apps
from django.core.management import call_command
from django.db.models import DateField
from django.utils import timezone

from accounts.models import User
from audit.chain import verify_chain
from clients.models import Client
from measures.models import Response
from pathways.management.commands._demo_refresh import KEPT_MODELS, MOVED_APPS
from pathways.management.commands._demo_week import monday
from pathways.testing import BaseTestCase
from scheduling.models import Appointment, AppointmentType
from treatment.models import SessionKind, SessionStatus, TreatmentSession
from website.models import Service

# A Tuesday, 10:00 in the practice's zone (America/New_York), and ten days later.
DAY_D = dt.datetime(2027, 3, 2, 15, 0, tzinfo=dt.UTC)
LATER = DAY_D + dt.timedelta(days=10)


def seed_at(moment: dt.datetime) -> str:
    out = io.StringIO()
    with mock.patch("django.utils.timezone.now", return_value=moment):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def todays_session() -> TreatmentSession:
    return TreatmentSession.objects.get(
        course__client__last_name="Ellis", kind=SessionKind.DOSING, status=SessionStatus.PLANNED
    )


def counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in MOVED_APPS
    }


def every_date() -> dict[str, list[Any]]:
    """Every date the demo's records hold, by model (what a re-run must not change)."""
    found: dict[str, list[Any]] = {}
    for model in apps.get_models():
        if model._meta.app_label not in MOVED_APPS or model._meta.label_lower in KEPT_MODELS:
            continue
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, DateField)]
        if names:
            rows = model._default_manager.order_by("pk").values_list("pk", *names)
            found[model._meta.label] = list(rows)
    return found


class SeedDemoRefreshTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        User.objects.all().delete()
        Service.objects.all().delete()

    def test_it_moves_todays_session_to_today_on_a_later_day_and_duplicates_nothing(self) -> None:
        seed_at(DAY_D)
        day_d = timezone.localdate(DAY_D)
        assert todays_session().planned_date == day_d
        before = counts()
        latest_score = Response.objects.order_by("-answered_at").values_list(
            "answered_at", flat=True
        )[0]

        output = seed_at(LATER)

        later = timezone.localdate(LATER)
        assert "moved 10 days forward" in output
        session = todays_session()
        assert session.planned_date == later
        appointment = Appointment.objects.get(session=session)
        assert timezone.localtime(appointment.starts_at).date() == later
        assert timezone.localtime(appointment.starts_at).time() == dt.time(10)
        # Nothing duplicated: the same rows, moved.
        assert counts() == before
        assert Client.objects.filter(last_name="Ellis").count() == 1
        # Everything else moved with it: the latest score is as old as it was.
        moved_score = Response.objects.order_by("-answered_at").values_list(
            "answered_at", flat=True
        )[0]
        assert moved_score - latest_score == dt.timedelta(days=10)
        # The week on the calendar is the new one, and the weekly series keeps its hour.
        with mock.patch("django.utils.timezone.now", return_value=LATER):
            week = monday(timezone.localdate())
        series = Appointment.objects.filter(client__last_name="Fox", type=AppointmentType.EMDR)
        this_week = [
            timezone.localtime(a.starts_at)
            for a in series
            if week <= timezone.localtime(a.starts_at).date() < week + dt.timedelta(days=7)
        ]
        assert len(this_week) == 1
        assert (this_week[0].weekday(), this_week[0].time()) == (1, dt.time(16))
        assert verify_chain().ok

    def test_it_changes_nothing_when_run_again_the_same_day(self) -> None:
        seed_at(DAY_D)
        seed_at(LATER)
        before_counts, before_dates = counts(), every_date()

        output = seed_at(LATER + dt.timedelta(hours=2))

        assert "already there; nothing changed" in output
        assert counts() == before_counts
        assert every_date() == before_dates
        assert todays_session().planned_date == timezone.localdate(LATER)
