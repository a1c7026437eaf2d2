from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.models import User
from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_client, make_course, make_session
from treatment.models import CourseStatus, SessionKind, SessionStatus, TreatmentCourse

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

GOALS = "Lift the low mood; return to work; reconnect with family."


def course_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "modality": "kap",
        "planned_preparation": 3,
        "planned_dosing": 6,
        "planned_integration": 6,
        "goals": GOALS,
        "status": "planned",
    }
    data.update(changes)
    return data


class CourseTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(first_name="Jo", last_name="March")
        self.record.assigned_therapist = self.therapist
        self.record.save()
        self.new_url = f"/staff/courses/new/{self.record.pk}/"

    def create(self, user: User | None = None, /, **changes: Any) -> TestResponse:
        self.client.force_login(user or self.therapist)
        return self.client.post(self.new_url, course_data(**changes))

    # --- Create -----------------------------------------------------------

    def test_it_shows_the_new_course_form(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(self.new_url)

        self.assertContains(response, "<h1>New treatment course</h1>", html=True)
        self.assertContains(response, "Jo March")
        # The typical course as the starting point (clinical-reference.md).
        form = response.context["form"]
        assert (
            form["planned_preparation"].value(),
            form["planned_dosing"].value(),
            form["planned_integration"].value(),
        ) == (3, 6, 6)

    def test_it_creates_a_course(self) -> None:
        response = self.create(modality="ka_emdr", planned_dosing=8)

        course = TreatmentCourse.objects.get()
        self.assertRedirects(response, f"/staff/courses/{course.pk}/")
        assert course.client == self.record
        assert course.created_by == self.therapist
        assert course.modality == "ka_emdr"
        assert course.planned_dosing == 8
        assert course.goals == GOALS
        assert course.status == CourseStatus.PLANNED

    def test_it_audits_the_creation_without_the_goals(self) -> None:
        self.create()

        course = TreatmentCourse.objects.get()
        event = AuditEvent.objects.get(action="course.create")
        assert event.actor == self.therapist
        assert event.client_id == self.record.pk
        assert event.object_id == str(course.pk)
        assert "Lift" not in str(event.detail)

    def test_it_rejects_counts_out_of_range_and_keeps_what_was_typed(self) -> None:
        for field, value, message in (
            ("planned_dosing", 31, "Ensure this value is less than or equal to 30."),
            ("planned_preparation", -1, "Ensure this value is greater than or equal to 0."),
            ("planned_integration", "six", "Enter a whole number."),
        ):
            with self.subTest(field=field, value=value):
                response = self.create(**{field: value})

                assert response.status_code == 200
                assert field in response.context["form"].errors
                self.assertContains(response, message)
                self.assertContains(response, f'value="{value}"')
                self.assertContains(response, GOALS)
        assert not TreatmentCourse.objects.exists()

    def test_it_accepts_the_limits(self) -> None:
        response = self.create(planned_preparation=0, planned_dosing=30, planned_integration=30)

        assert response.status_code == 302
        assert TreatmentCourse.objects.get().planned_dosing == 30

    def test_it_needs_goals_and_a_known_modality(self) -> None:
        response = self.create(goals="", modality="ketamine-iv")

        assert set(response.context["form"].errors) == {"goals", "modality"}
        self.assertContains(response, "Select a valid choice.")
        self.assertContains(response, "Please check the form")
        assert not TreatmentCourse.objects.exists()

    def test_it_refuses_goals_longer_than_4000_characters(self) -> None:
        response = self.create(goals="x" * 4001)

        assert "goals" in response.context["form"].errors
        assert not TreatmentCourse.objects.exists()

    # --- Edit -------------------------------------------------------------

    def test_it_edits_a_course(self) -> None:
        course = make_course(self.record, self.therapist, goals=GOALS)
        self.client.force_login(self.therapist)

        response = self.client.post(
            f"/staff/courses/{course.pk}/edit/",
            course_data(planned_dosing=8, status="active"),
        )

        self.assertRedirects(response, f"/staff/courses/{course.pk}/")
        course.refresh_from_db()
        assert (course.planned_dosing, course.status) == (8, "active")
        event = AuditEvent.objects.get(action="course.update")
        assert event.detail == {"fields": ["planned_dosing", "status"]}

    def test_it_shows_the_edit_form_with_the_current_values(self) -> None:
        course = make_course(self.record, self.therapist, goals=GOALS, planned_dosing=7)
        self.client.force_login(self.admin)

        response = self.client.get(f"/staff/courses/{course.pk}/edit/")

        self.assertContains(response, "<h1>Edit the course</h1>", html=True)
        self.assertContains(response, 'value="7"')
        assert AuditEvent.objects.filter(action="course.view").count() == 1

    def test_it_rejects_a_bad_edit_and_changes_nothing(self) -> None:
        course = make_course(self.record, self.therapist, goals=GOALS)
        self.client.force_login(self.therapist)

        response = self.client.post(
            f"/staff/courses/{course.pk}/edit/", course_data(planned_dosing=99, status="paused")
        )

        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"planned_dosing", "status"}
        course.refresh_from_db()
        assert (course.planned_dosing, course.status) == (6, "planned")
        assert not AuditEvent.objects.filter(action="course.update").exists()

    # --- The course page --------------------------------------------------

    def test_it_shows_planned_against_done(self) -> None:
        course = make_course(self.record, self.therapist, planned_preparation=4, planned_dosing=6)
        make_session(course, SessionKind.PREPARATION, status=SessionStatus.COMPLETED)
        make_session(course, SessionKind.PREPARATION, status=SessionStatus.COMPLETED)
        make_session(course, SessionKind.PREPARATION, status=SessionStatus.CANCELLED)
        make_session(course, SessionKind.PREPARATION)
        make_session(course, SessionKind.DOSING, status=SessionStatus.IN_PROGRESS)
        make_session(course, SessionKind.INTEGRATION, status=SessionStatus.COMPLETED)
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/courses/{course.pk}/")

        assert response.context["progress"] == [
            {"kind": "Preparation", "planned": 4, "done": 2},
            {"kind": "Dosing", "planned": 6, "done": 0},
            {"kind": "Integration", "planned": 6, "done": 1},
        ]
        self.assertContains(
            response, '<tr><th scope="row">Preparation</th><td>4</td><td>2</td></tr>', html=True
        )
        self.assertContains(
            response, '<tr><th scope="row">Dosing</th><td>6</td><td>0</td></tr>', html=True
        )

    def test_it_does_not_count_another_courses_sessions(self) -> None:
        course = make_course(self.record, self.therapist)
        other = make_course(self.record, self.therapist)
        make_session(other, SessionKind.PREPARATION, status=SessionStatus.COMPLETED)
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/courses/{course.pk}/")

        assert response.context["progress"][0]["done"] == 0

    def test_it_lists_the_sessions_and_audits_the_view(self) -> None:
        course = make_course(self.record, self.therapist, goals=GOALS)
        make_session(course, SessionKind.PREPARATION)
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/courses/{course.pk}/")

        self.assertContains(response, "Preparation 1 of 3")
        self.assertContains(response, GOALS)
        event = AuditEvent.objects.get(action="course.view")
        assert (event.client_id, event.object_id) == (self.record.pk, str(course.pk))

    # --- Who may ----------------------------------------------------------

    def test_it_answers_404_to_another_therapist(self) -> None:
        course = make_course(self.record, self.therapist)
        self.client.force_login(self.therapist2)

        for method, url in (
            ("get", f"/staff/courses/{course.pk}/"),
            ("get", f"/staff/courses/{course.pk}/edit/"),
            ("get", self.new_url),
            ("post", self.new_url),
            ("post", f"/staff/courses/{course.pk}/edit/"),
        ):
            with self.subTest(method=method, url=url):
                response = getattr(self.client, method)(url, course_data(planned_dosing=1))

                assert response.status_code == 404
        course.refresh_from_db()
        assert course.planned_dosing == 6
        assert TreatmentCourse.objects.count() == 1

    def test_it_lets_intake_view_but_not_edit(self) -> None:
        course = make_course(self.record, self.therapist, goals=GOALS)
        self.client.force_login(self.intake)

        view = self.client.get(f"/staff/courses/{course.pk}/")
        edit = self.client.get(f"/staff/courses/{course.pk}/edit/")
        post = self.client.post(f"/staff/courses/{course.pk}/edit/", course_data(planned_dosing=1))
        new = self.client.post(self.new_url, course_data())

        assert view.status_code == 200
        self.assertNotContains(view, "Edit the course")
        self.assertNotContains(view, "Add session")
        assert (edit.status_code, post.status_code, new.status_code) == (403, 403, 403)
        course.refresh_from_db()
        assert course.planned_dosing == 6
        assert TreatmentCourse.objects.count() == 1

    def test_it_refuses_the_prescriber(self) -> None:
        course = make_course(self.record, self.therapist)
        self.client.force_login(self.prescriber)

        assert self.client.get(f"/staff/courses/{course.pk}/").status_code == 403
        assert self.client.post(self.new_url, course_data()).status_code == 403
