"""Starting a dosing session through the page: only when the gate is open, re-checked on POST."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from unittest import mock

from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from clients.models import Client
from consents.models import ConsentRevocation, SignedConsent
from partners.models import Referral, ReferralStatus
from pathways.testing import BaseTestCase, make_client, make_session
from prescriptions.models import Prescription, RxStatus
from treatment.models import CourseStatus, SessionKind, SessionStatus, TreatmentSession

from .support import make_ready

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

LABELS = {
    "referral": "The partner's evaluation found the client eligible",
    "prescription": (
        "An active prescription, valid today, for this modality, with authorised sessions left"
    ),
    "consent": "Signed KAP informed consent, not revoked",
    "release": "A signed release of information to the partner",
    "escort": "An escort or ride is confirmed for today",
    "safety": "No unacknowledged safety alert",
    "preparation": "At least one preparation session completed",
}


class DosingStartTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ready = make_ready(self.therapist, self.prescriber, self.partner)
        self.session = self.ready.session
        # make_ready met every condition, so made everything it may leave out.
        ready = self.ready
        assert ready.referral is not None
        assert ready.prescription is not None
        assert ready.consent is not None
        assert ready.preparation is not None
        self.referral: Referral = ready.referral
        self.rx: Prescription = ready.prescription
        self.consent: SignedConsent = ready.consent
        self.preparation: TreatmentSession = ready.preparation

    def url(self, session: TreatmentSession | None = None) -> str:
        return f"/staff/courses/sessions/{(session or self.session).pk}/start/"

    def start(
        self, user: User | None = None, session: TreatmentSession | None = None
    ) -> TestResponse:
        self.client.force_login(user or self.therapist)
        return self.client.post(self.url(session), follow=True)

    def assert_blocked(self, response: TestResponse, *failed: str) -> None:
        self.assertRedirects(response, f"/staff/courses/sessions/{self.session.pk}/")
        self.session.refresh_from_db()
        assert self.session.status == SessionStatus.PLANNED
        assert self.session.started_at is None
        assert self.session.prescription is None
        self.session.course.refresh_from_db()
        assert self.session.course.status == CourseStatus.PLANNED
        event = AuditEvent.objects.get(action="dosing.start_blocked")
        assert event.detail == {"failed": list(failed)}
        assert event.actor == self.therapist
        assert event.object_id == str(self.session.pk)
        assert event.client_id == self.ready.client.pk
        assert not AuditEvent.objects.filter(action="dosing.start").exists()
        self.assert_message_names(response, *failed)

    def assert_message_names(self, response: TestResponse, *failed: str) -> None:
        """The error message names the failing conditions, and no others."""
        [message] = [str(m) for m in response.context["messages"]]
        assert message.startswith("The dosing session cannot start: ")
        for key, label in LABELS.items():
            assert (label in message) is (key in failed), (key, message)

    # --- It opens ---------------------------------------------------------

    def test_it_starts_when_every_condition_holds(self) -> None:
        response = self.start()

        self.assertRedirects(response, f"/staff/courses/sessions/{self.session.pk}/")
        self.assertContains(response, "Session started.")
        self.session.refresh_from_db()
        assert self.session.status == SessionStatus.IN_PROGRESS
        assert self.session.prescription == self.rx
        assert self.session.started_by == self.therapist
        assert self.session.started_at is not None
        assert abs(timezone.now() - self.session.started_at) < dt.timedelta(minutes=1)
        self.session.course.refresh_from_db()
        assert self.session.course.status == CourseStatus.ACTIVE

    def test_it_audits_the_start_with_the_prescription_version(self) -> None:
        self.start()

        event = AuditEvent.objects.get(action="dosing.start")
        assert event.actor == self.therapist
        assert event.object_type == "treatment.treatmentsession"
        assert event.object_id == str(self.session.pk)
        assert event.client_id == self.ready.client.pk
        assert event.detail == {"prescription": self.rx.pk, "version": 1}
        assert not AuditEvent.objects.filter(action="dosing.start_blocked").exists()

    def test_it_uses_one_authorised_session(self) -> None:
        assert self.rx.sessions_left() == 6

        self.start()

        assert self.rx.sessions_left() == 5

    def test_it_lets_the_admin_start(self) -> None:
        self.start(self.admin)

        self.session.refresh_from_db()
        assert self.session.status == SessionStatus.IN_PROGRESS
        assert self.session.started_by == self.admin

    def test_it_keeps_an_active_course_active(self) -> None:
        self.ready.course.status = CourseStatus.ACTIVE
        self.ready.course.save()

        self.start()

        self.ready.course.refresh_from_db()
        assert self.ready.course.status == CourseStatus.ACTIVE

    # --- It is blocked, one condition at a time ----------------------------

    def test_it_is_blocked_without_an_eligible_evaluation(self) -> None:
        Referral.objects.filter(pk=self.referral.pk).update(status=ReferralStatus.NOT_ELIGIBLE)

        # The release to that partner is still in force: only the evaluation fails.
        self.assert_blocked(self.start(), "referral")

    def test_it_is_blocked_by_a_discontinued_prescription(self) -> None:
        Prescription.objects.filter(pk=self.rx.pk).update(
            status=RxStatus.DISCONTINUED, discontinued_at=timezone.now()
        )

        self.assert_blocked(self.start(), "prescription")

    def test_it_is_blocked_by_an_expired_prescription(self) -> None:
        Prescription.objects.filter(pk=self.rx.pk).update(
            valid_to=timezone.localdate() - dt.timedelta(days=1)
        )

        self.assert_blocked(self.start(), "prescription")

    def test_it_is_blocked_by_a_prescription_not_yet_valid(self) -> None:
        Prescription.objects.filter(pk=self.rx.pk).update(
            valid_from=timezone.localdate() + dt.timedelta(days=1)
        )

        self.assert_blocked(self.start(), "prescription")

    def test_it_is_blocked_without_the_consent(self) -> None:
        ConsentRevocation.objects.create(
            consent=self.consent, recorded_by=self.therapist, reason="Asked."
        )

        self.assert_blocked(self.start(), "consent")

    def test_it_is_blocked_by_a_revoked_release(self) -> None:
        ConsentRevocation.objects.create(
            consent=self.referral.release, recorded_by=self.therapist, reason="Asked."
        )

        self.assert_blocked(self.start(), "release")

    def test_it_is_blocked_without_an_escort_confirmed_today(self) -> None:
        TreatmentSession.objects.filter(pk=self.session.pk).update(
            escort_confirmed_at=timezone.now() - dt.timedelta(days=1)
        )

        self.assert_blocked(self.start(), "escort")

    def test_it_is_blocked_by_a_safety_alert(self) -> None:
        def alerts(client: Client) -> list[str]:
            return ["PHQ-9 item 9 answered above 0"]

        patcher = mock.patch("measures.gate.gate_descriptions", side_effect=alerts)
        patcher.start()
        self.addCleanup(patcher.stop)

        self.assert_blocked(self.start(), "safety")

    def test_it_is_blocked_without_a_completed_preparation_session(self) -> None:
        TreatmentSession.objects.filter(pk=self.preparation.pk).update(
            status=SessionStatus.CANCELLED
        )

        self.assert_blocked(self.start(), "preparation")

    def test_it_is_blocked_when_several_conditions_fail_and_names_them_all(self) -> None:
        TreatmentSession.objects.filter(pk=self.session.pk).update(escort_confirmed_at=None)
        TreatmentSession.objects.filter(pk=self.preparation.pk).update(
            status=SessionStatus.PLANNED
        )

        self.assert_blocked(self.start(), "escort", "preparation")

    # --- Crafted and repeated requests ---------------------------------------

    def test_it_refuses_a_crafted_post_for_a_session_shown_as_blocked(self) -> None:
        TreatmentSession.objects.filter(pk=self.session.pk).update(escort_confirmed_at=None)
        self.client.force_login(self.therapist)
        page = self.client.get(f"/staff/courses/sessions/{self.session.pk}/")
        assert page.context["gate_open"] is False
        self.assertNotContains(page, "Start the dosing session")

        self.assert_blocked(self.client.post(self.url(), follow=True), "escort")

    def test_it_refuses_to_start_twice(self) -> None:
        self.start()
        self.session.refresh_from_db()
        started_at = self.session.started_at

        response = self.start()

        self.assertContains(response, "Only a planned dosing session can be started.")
        self.session.refresh_from_db()
        assert self.session.status == SessionStatus.IN_PROGRESS
        assert self.session.started_at == started_at
        assert AuditEvent.objects.filter(action="dosing.start").count() == 1
        assert not AuditEvent.objects.filter(action="dosing.start_blocked").exists()
        assert self.rx.sessions_left() == 5

    def test_it_refuses_a_completed_or_cancelled_session(self) -> None:
        for status in (SessionStatus.COMPLETED, SessionStatus.CANCELLED):
            with self.subTest(status=status):
                TreatmentSession.objects.filter(pk=self.session.pk).update(status=status)

                response = self.start()

                self.assertContains(response, "Only a planned dosing session can be started.")
                self.session.refresh_from_db()
                assert self.session.status == status
                assert self.session.started_at is None
        assert not AuditEvent.objects.filter(action__startswith="dosing.").exists()

    def test_it_refuses_a_session_of_an_ended_course(self) -> None:
        for status in (CourseStatus.COMPLETED, CourseStatus.STOPPED):
            with self.subTest(status=status):
                self.ready.course.status = status
                self.ready.course.save()

                response = self.start()

                self.assertContains(response, "This course has ended; start a new course first.")
                self.session.refresh_from_db()
                assert self.session.status == SessionStatus.PLANNED

    def test_it_blocks_a_second_session_when_the_last_authorised_one_is_taken(self) -> None:
        Prescription.objects.filter(pk=self.rx.pk).update(sessions_authorised=1)
        self.start()
        self.session.refresh_from_db()
        assert self.session.status == SessionStatus.IN_PROGRESS
        second = make_session(
            self.ready.course,
            SessionKind.DOSING,
            escort_name="Walter Skinner",
            escort_confirmed_at=timezone.now(),
        )
        self.session = second

        response = self.start(session=second)

        self.assert_blocked_after_a_start(response, "prescription")
        self.assertContains(response, "All 1 authorised dosing sessions have been used.")

    def assert_blocked_after_a_start(self, response: TestResponse, *failed: str) -> None:
        self.session.refresh_from_db()
        assert self.session.status == SessionStatus.PLANNED
        assert self.session.prescription is None
        event = AuditEvent.objects.get(action="dosing.start_blocked")
        assert event.detail == {"failed": list(failed)}
        assert event.object_id == str(self.session.pk)
        self.assert_message_names(response, *failed)

    def test_it_blocks_the_start_when_the_prescription_is_discontinued_after_the_page_loaded(
        self,
    ) -> None:
        self.client.force_login(self.therapist)
        page = self.client.get(f"/staff/courses/sessions/{self.session.pk}/")
        assert page.context["gate_open"] is True
        self.assertContains(page, "Start the dosing session")

        Prescription.objects.filter(pk=self.rx.pk).update(
            status=RxStatus.DISCONTINUED,
            discontinued_at=timezone.now(),
            discontinued_by=self.prescriber,
        )

        self.assert_blocked(self.client.post(self.url(), follow=True), "prescription")

    # --- Who may --------------------------------------------------------------

    def test_it_refuses_intake_and_the_prescriber(self) -> None:
        for user in (self.intake, self.prescriber):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                assert self.client.post(self.url()).status_code == 403
        self.session.refresh_from_db()
        assert self.session.status == SessionStatus.PLANNED
        assert not AuditEvent.objects.filter(action__startswith="dosing.").exists()

    def test_it_answers_404_to_another_therapist(self) -> None:
        self.client.force_login(self.therapist2)

        assert self.client.post(self.url()).status_code == 404
        self.session.refresh_from_db()
        assert self.session.status == SessionStatus.PLANNED

    def test_it_answers_404_for_a_session_of_a_client_not_assigned(self) -> None:
        other = make_ready(
            self.therapist2,
            self.prescriber,
            self.partner,
            client=make_client(first_name="Other", assigned_therapist=self.therapist2),
        )

        response = self.start(session=other.session)

        assert response.status_code == 404
        other.session.refresh_from_db()
        assert other.session.status == SessionStatus.PLANNED
