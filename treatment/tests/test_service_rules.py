"""The treatment services check their own values: a call that skips the form (a script,
a crafted POST, another app) cannot store a bad course, session or escort."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from accounts.actor import Actor
from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_client, make_course, make_session
from treatment import services
from treatment.models import (
    CourseStatus,
    SessionKind,
    SessionStatus,
    TreatmentCourse,
    TreatmentSession,
)
from treatment.services import CoursePlan

GOALS = "Lift the low mood; return to work; reconnect with family."
PLAN = CoursePlan(
    modality="kap",
    planned_preparation=3,
    planned_dosing=6,
    planned_integration=6,
    goals=GOALS,
    status=CourseStatus.PLANNED,
)


class CourseServiceTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Jo", last_name="March", assigned_therapist=self.therapist
        )
        self.actor = Actor.for_user(self.therapist)

    def test_it_refuses_a_plan_that_breaks_a_rule_and_stores_nothing(self) -> None:
        bad: list[tuple[dict[str, Any], str]] = [
            ({"modality": "ketamine-iv"}, "modality"),
            ({"planned_preparation": -1}, "planned_preparation"),
            ({"planned_dosing": 31}, "planned_dosing"),
            ({"planned_integration": 99}, "planned_integration"),
            ({"goals": "   "}, "goals"),
            ({"goals": "x" * 4001}, "goals"),
            ({"status": "paused"}, "status"),
        ]
        for changes, field in bad:
            with self.subTest(**changes):
                with self.assertRaises(services.CourseError) as refused:
                    services.course_create(
                        actor=self.actor, client=self.record, plan=replace(PLAN, **changes)
                    )

                assert refused.exception.field == field
        assert not TreatmentCourse.objects.exists()
        assert not AuditEvent.objects.filter(action="course.create").exists()

    def test_it_refuses_an_update_out_of_range_and_changes_nothing(self) -> None:
        course = make_course(self.record, self.therapist, goals=GOALS)

        with self.assertRaises(services.CourseError) as refused:
            services.course_update(
                actor=self.actor, course=course, plan=replace(PLAN, planned_dosing=99)
            )

        assert refused.exception.field == "planned_dosing"
        course.refresh_from_db()
        assert course.planned_dosing == 6
        assert not AuditEvent.objects.filter(action="course.update").exists()

    def test_it_moves_the_status_only_as_the_table_allows(self) -> None:
        refused_moves = [
            (CourseStatus.PLANNED, CourseStatus.COMPLETED),
            (CourseStatus.COMPLETED, CourseStatus.PLANNED),
            (CourseStatus.STOPPED, CourseStatus.ACTIVE),
        ]
        for current, target in refused_moves:
            with self.subTest(current=current, target=target):
                course = make_course(self.record, self.therapist, goals=GOALS, status=current)

                with self.assertRaises(services.CourseError) as refused:
                    services.course_update(
                        actor=self.actor, course=course, plan=replace(PLAN, status=target)
                    )

                assert refused.exception.field == "status"
                course.refresh_from_db()
                assert course.status == current
        assert not AuditEvent.objects.filter(action="course.update").exists()

    def test_it_keeps_a_status_or_takes_an_allowed_step(self) -> None:
        course = make_course(self.record, self.therapist, goals=GOALS)

        services.course_update(
            actor=self.actor, course=course, plan=replace(PLAN, planned_dosing=8)
        )
        services.course_update(
            actor=self.actor, course=course, plan=replace(PLAN, status=CourseStatus.STOPPED)
        )

        course.refresh_from_db()
        assert (course.planned_dosing, course.status) == (6, CourseStatus.STOPPED)
        details = [
            e.detail for e in AuditEvent.objects.filter(action="course.update").order_by("pk")
        ]
        assert details == [
            {"fields": ["planned_dosing"]},
            {"fields": ["planned_dosing", "status"]},
        ]

    def test_the_edit_page_shows_a_refused_status_beside_the_field(self) -> None:
        course = make_course(
            self.record, self.therapist, goals=GOALS, status=CourseStatus.COMPLETED
        )
        self.client.force_login(self.therapist)

        response = self.client.post(
            f"/staff/courses/{course.pk}/edit/",
            {
                "modality": "kap",
                "planned_preparation": 3,
                "planned_dosing": 8,
                "planned_integration": 6,
                "goals": GOALS,
                "status": "planned",
            },
        )

        assert response.status_code == 200
        self.assertContains(response, "A course that is “Completed” cannot become “Planned”.")
        assert "status" in response.context["form"].errors
        self.assertContains(response, 'value="8"')
        course.refresh_from_db()
        assert (course.status, course.planned_dosing) == (CourseStatus.COMPLETED, 6)


class SessionServiceTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        record = make_client(
            first_name="Meg", last_name="March", assigned_therapist=self.therapist
        )
        self.course = make_course(record, self.therapist)
        self.actor = Actor.for_user(self.therapist)

    def test_it_refuses_an_unknown_kind_of_session(self) -> None:
        with self.assertRaises(services.SessionError) as refused:
            services.session_create(
                actor=self.actor, course=self.course, kind="massage", planned_date=None
            )

        assert refused.exception.field == "kind"
        assert not self.course.sessions.exists()

    def test_it_refuses_a_planned_date_outside_the_plausible_range(self) -> None:
        for day in (dt.date(1, 1, 1), dt.date(1899, 12, 31), dt.date(9999, 12, 31)):
            with self.subTest(day=day), self.assertRaises(services.SessionError) as refused:
                services.session_create(
                    actor=self.actor, course=self.course, kind=SessionKind.DOSING, planned_date=day
                )

            assert refused.exception.field == "planned_date"
        assert not self.course.sessions.exists()

    def test_it_refuses_an_escort_without_a_name_or_a_reachable_phone(self) -> None:
        session = make_session(self.course, SessionKind.DOSING)
        bad = [
            ("   ", "(555) 010-0161", "escort_name"),
            ("M" * 121, "(555) 010-0161", "escort_name"),
            ("Margaret Scully", "12", "escort_phone"),
            ("Margaret Scully", "5" * 16, "escort_phone"),
            ("Margaret Scully", "(555) 010-0161" + " " * 20 + "x", "escort_phone"),
        ]
        for name, phone, field in bad:
            with self.subTest(name=name, phone=phone):
                with self.assertRaises(services.SessionError) as refused:
                    services.session_escort_confirm(
                        actor=self.actor, session=session, name=name, phone=phone
                    )

                assert refused.exception.field == field
        session.refresh_from_db()
        assert (session.escort_name, session.escort_confirmed_at) == ("", None)
        assert not AuditEvent.objects.filter(action="session.escort_confirm").exists()

    def test_it_checks_the_escorts_session_under_the_lock_not_the_callers_copy(self) -> None:
        session = make_session(self.course, SessionKind.DOSING)
        stale = TreatmentSession.objects.get(pk=session.pk)
        TreatmentSession.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)

        with self.assertRaisesMessage(services.SessionError, "only before a dosing session"):
            services.session_escort_confirm(
                actor=self.actor, session=stale, name="Margaret Scully", phone="(555) 010-0161"
            )

        session.refresh_from_db()
        assert session.escort_confirmed_at is None
