from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.actor import Actor
from accounts.models import User
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

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class SessionsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(first_name="Meg", last_name="March")
        self.record.assigned_therapist = self.therapist
        self.record.save()
        self.course = make_course(self.record, self.therapist)

    def act(self, verb: str, session: TreatmentSession, user: User | None = None) -> TestResponse:
        self.client.force_login(user or self.therapist)
        # Cancelling asks for its confirm and a reason (templates/includes/confirm.html).
        data = {"confirm": "yes", "reason": "Client unwell."} if verb == "cancel" else {}
        return self.client.post(f"/staff/courses/sessions/{session.pk}/{verb}/", data, follow=True)

    def status_of(self, session: TreatmentSession) -> str:
        session.refresh_from_db()
        return session.status

    # --- Adding -----------------------------------------------------------

    def test_it_adds_a_session_to_the_course(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(
            f"/staff/courses/{self.course.pk}/sessions/add/",
            {"kind": "preparation", "planned_date": "2030-01-15"},
        )

        self.assertRedirects(response, f"/staff/courses/{self.course.pk}/")
        session = TreatmentSession.objects.get()
        assert session.course == self.course
        assert session.kind == SessionKind.PREPARATION
        assert str(session.planned_date) == "2030-01-15"
        assert session.status == SessionStatus.PLANNED
        event = AuditEvent.objects.get(action="session.create")
        assert (event.client_id, event.object_id) == (self.record.pk, str(session.pk))

    def test_it_adds_a_session_without_a_date(self) -> None:
        self.client.force_login(self.therapist)

        self.client.post(f"/staff/courses/{self.course.pk}/sessions/add/", {"kind": "dosing"})

        assert TreatmentSession.objects.get().planned_date is None

    def test_it_ignores_a_status_or_start_posted_with_a_new_session(self) -> None:
        self.client.force_login(self.therapist)

        self.client.post(
            f"/staff/courses/{self.course.pk}/sessions/add/",
            {
                "kind": "dosing",
                "status": "in_progress",
                "started_at": "2030-01-01T10:00",
                "escort_confirmed_at": "2030-01-01T09:00",
            },
        )

        session = TreatmentSession.objects.get()
        assert session.status == SessionStatus.PLANNED
        assert session.started_at is None
        assert session.escort_confirmed_at is None

    def test_it_rejects_a_bad_session_and_keeps_the_date(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(
            f"/staff/courses/{self.course.pk}/sessions/add/",
            {"kind": "ceremony", "planned_date": "2030-02-31"},
        )

        assert response.status_code == 200
        assert set(response.context["session_form"].errors) == {"kind", "planned_date"}
        self.assertContains(response, 'value="2030-02-31"')
        assert not TreatmentSession.objects.exists()

    def test_it_lets_only_clinical_roles_add_sessions(self) -> None:
        for user, status in ((self.intake, 403), (self.prescriber, 403), (self.therapist2, 404)):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                response = self.client.post(
                    f"/staff/courses/{self.course.pk}/sessions/add/", {"kind": "preparation"}
                )

                assert response.status_code == status
        assert not TreatmentSession.objects.exists()

    # --- Preparation and integration: start, complete, cancel --------------

    def test_it_starts_and_completes_a_preparation_session(self) -> None:
        session = make_session(self.course, SessionKind.PREPARATION)

        started = self.act("start", session)

        self.assertContains(started, "Session started.")
        session.refresh_from_db()
        assert session.status == SessionStatus.IN_PROGRESS
        assert session.started_by == self.therapist
        assert session.started_at is not None
        self.course.refresh_from_db()
        assert self.course.status == CourseStatus.ACTIVE

        completed = self.act("complete", session)

        self.assertContains(completed, "Session completed.")
        session.refresh_from_db()
        assert session.status == SessionStatus.COMPLETED
        assert session.completed_at is not None
        assert session.completed_at >= session.started_at
        actions = AuditEvent.objects.filter(
            object_id=str(session.pk), action__in=["session.start", "session.complete"]
        ).order_by("id")
        assert list(actions.values_list("action", flat=True)) == [
            "session.start",
            "session.complete",
        ]

    def test_it_starts_an_integration_session_without_the_gate(self) -> None:
        session = make_session(self.course, SessionKind.INTEGRATION)

        self.act("start", session)

        assert self.status_of(session) == SessionStatus.IN_PROGRESS
        assert not AuditEvent.objects.filter(action__startswith="dosing.").exists()

    def test_it_cancels_a_planned_session(self) -> None:
        session = make_session(self.course, SessionKind.INTEGRATION)

        response = self.act("cancel", session)

        self.assertContains(response, "Session cancelled.")
        self.assertContains(response, "Client unwell.")
        assert self.status_of(session) == SessionStatus.CANCELLED
        assert AuditEvent.objects.filter(action="session.cancel").count() == 1

    def test_it_cancels_a_planned_dosing_session(self) -> None:
        session = make_session(self.course, SessionKind.DOSING)

        self.act("cancel", session)

        assert self.status_of(session) == SessionStatus.CANCELLED

    def test_it_refuses_invalid_transitions_with_a_message(self) -> None:
        cases = [
            ("complete", SessionStatus.PLANNED, "Only a session in progress can be completed."),
            ("complete", SessionStatus.COMPLETED, "Only a session in progress can be completed."),
            ("complete", SessionStatus.CANCELLED, "Only a session in progress can be completed."),
            ("cancel", SessionStatus.IN_PROGRESS, "Only a planned session can be cancelled."),
            ("cancel", SessionStatus.COMPLETED, "Only a planned session can be cancelled."),
            ("cancel", SessionStatus.CANCELLED, "Only a planned session can be cancelled."),
            ("start", SessionStatus.IN_PROGRESS, "Only a planned session can be started."),
            ("start", SessionStatus.COMPLETED, "Only a planned session can be started."),
            ("start", SessionStatus.CANCELLED, "Only a planned session can be started."),
        ]
        for verb, status, message in cases:
            with self.subTest(verb=verb, status=status):
                session = make_session(self.course, SessionKind.PREPARATION, status=status)

                response = self.act(verb, session)

                self.assertRedirects(response, f"/staff/courses/sessions/{session.pk}/")
                self.assertContains(response, message)
                assert self.status_of(session) == status
        assert not AuditEvent.objects.filter(
            action__in=["session.start", "session.complete", "session.cancel"]
        ).exists()

    def test_it_checks_the_status_under_the_lock_not_the_callers_copy(self) -> None:
        # Two tabs: one starts the session; the other, still showing it planned,
        # cancels. The cancel must meet the current status (in progress), not its copy.
        session = make_session(self.course, SessionKind.PREPARATION)
        stale = TreatmentSession.objects.get(pk=session.pk)
        actor = Actor.for_user(self.therapist)
        services.session_start(actor=actor, session=session)

        with self.assertRaisesMessage(
            services.SessionError, "Only a planned session can be cancelled."
        ):
            services.session_cancel(actor=actor, session=stale, reason="Client unwell.")

        assert self.status_of(session) == SessionStatus.IN_PROGRESS

    def test_it_refuses_a_dosing_session_on_the_ungated_path(self) -> None:
        session = make_session(self.course, SessionKind.DOSING)
        with self.assertRaisesMessage(
            services.SessionError, "A dosing session starts through the readiness gate."
        ):
            services.session_start(actor=Actor.for_user(self.therapist), session=session)

        assert self.status_of(session) == SessionStatus.PLANNED

    def test_it_sends_a_dosing_start_through_the_gate(self) -> None:
        # Nothing is ready for this client: the start button of the view meets the gate.
        session = make_session(self.course, SessionKind.DOSING)

        response = self.act("start", session)

        self.assertContains(response, "The dosing session cannot start:")
        assert self.status_of(session) == SessionStatus.PLANNED
        event = AuditEvent.objects.get(action="dosing.start_blocked")
        assert event.detail == {
            "failed": ["referral", "prescription", "consent", "release", "escort", "preparation"]
        }
        assert not AuditEvent.objects.filter(action="session.start").exists()

    def test_it_does_not_complete_a_dosing_session_that_never_started(self) -> None:
        session = make_session(self.course, SessionKind.DOSING)

        response = self.act("complete", session)

        self.assertContains(response, "Only a session in progress can be completed.")
        assert self.status_of(session) == SessionStatus.PLANNED

    def test_it_completes_a_dosing_session_in_progress(self) -> None:
        session = make_session(self.course, SessionKind.DOSING, status=SessionStatus.IN_PROGRESS)

        self.act("complete", session)

        assert self.status_of(session) == SessionStatus.COMPLETED

    # --- Who may ----------------------------------------------------------

    def test_it_answers_404_to_another_therapist(self) -> None:
        session = make_session(self.course, SessionKind.PREPARATION)
        self.client.force_login(self.therapist2)

        for verb in ("start", "complete", "cancel"):
            with self.subTest(verb=verb):
                response = self.client.post(f"/staff/courses/sessions/{session.pk}/{verb}/")

                assert response.status_code == 404
        assert self.client.get(f"/staff/courses/sessions/{session.pk}/").status_code == 404
        assert self.status_of(session) == SessionStatus.PLANNED

    def test_it_refuses_intake_the_session_actions(self) -> None:
        session = make_session(self.course, SessionKind.PREPARATION)
        self.client.force_login(self.intake)

        for verb in ("start", "complete", "cancel"):
            with self.subTest(verb=verb):
                response = self.client.post(f"/staff/courses/sessions/{session.pk}/{verb}/")

                assert response.status_code == 403
        assert self.status_of(session) == SessionStatus.PLANNED
        assert TreatmentCourse.objects.get().status == CourseStatus.PLANNED
