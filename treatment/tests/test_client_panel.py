from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import User
from clients.tests.support import own_providers_only
from pathways.testing import BaseTestCase, make_client, make_course, make_session
from treatment.models import CourseStatus, Modality, SessionKind, SessionStatus

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class ClientPanelTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        own_providers_only(self)
        self.record = make_client(first_name="Beth", last_name="March")
        self.record.assigned_therapist = self.therapist
        self.record.save()

    def page(self, user: User | None = None) -> TestResponse:
        self.client.force_login(user or self.therapist)
        response = self.client.get(f"/staff/clients/{self.record.pk}/course/")
        assert response.status_code == 200
        return response

    def test_it_shows_each_course_with_planned_against_done(self) -> None:
        course = make_course(self.record, self.therapist, planned_preparation=3)
        make_session(course, SessionKind.PREPARATION, status=SessionStatus.COMPLETED)
        make_session(course, SessionKind.PREPARATION, status=SessionStatus.CANCELLED)
        make_session(course, SessionKind.DOSING)

        response = self.page()

        self.assertContains(
            response,
            "Preparation: 1 of 3 done · Dosing: 0 of 6 done · Integration: 0 of 6 done",
        )
        self.assertContains(
            response,
            f'<h3><a href="/staff/courses/{course.pk}/">KAP course</a>'
            ' <span class="status">Planned</span></h3>',
            html=True,
        )

    def test_it_shows_every_course_of_the_client(self) -> None:
        make_course(self.record, self.therapist, status=CourseStatus.COMPLETED)
        make_course(self.record, self.therapist, modality=Modality.KA_EMDR, planned_dosing=4)
        make_course(
            make_client(first_name="Other", assigned_therapist=self.therapist), self.therapist
        )

        response = self.page()

        self.assertContains(response, ">KA-EMDR course</a>", count=1)
        self.assertContains(response, "Dosing: 0 of 4 done")
        self.assertContains(response, '<span class="status">Completed</span>', html=True)
        self.assertContains(response, "Preparation: 0 of 3 done", count=2)

    def test_it_says_when_there_is_no_course(self) -> None:
        self.assertContains(self.page(), "No treatment course yet.")

    def test_it_offers_a_new_course_to_clinical_roles_only(self) -> None:
        link = f'href="/staff/courses/new/{self.record.pk}/"'

        self.assertContains(self.page(self.therapist), link)
        self.assertContains(self.page(self.admin), link)
        self.assertNotContains(self.page(self.intake), link)
