"""Cancelling a session asks for a confirm and the reason: the server refuses either
missing, with the message beside the field and what was typed kept; the reason is
stored (encrypted), audited without its text, and shown on the session page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection

from accounts.actor import Actor
from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_client, make_course, make_session
from treatment import services
from treatment.models import SessionKind, SessionStatus, TreatmentSession

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class SessionCancelTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        record = make_client(assigned_therapist=self.therapist)
        self.session = make_session(make_course(record, self.therapist), SessionKind.DOSING)
        self.client.force_login(self.therapist)

    def cancel(self, **data: Any) -> TestResponse:
        return self.client.post(f"/staff/courses/sessions/{self.session.pk}/cancel/", data)

    def status(self) -> str:
        self.session.refresh_from_db()
        return self.session.status

    def test_it_cancels_with_the_reason_shown_on_the_page(self) -> None:
        response = self.cancel(confirm="yes", reason="Client has a fever.")

        self.assertRedirects(response, f"/staff/courses/sessions/{self.session.pk}/")
        assert self.status() == SessionStatus.CANCELLED
        assert self.session.cancel_reason == "Client has a fever."
        assert self.session.cancelled_by == self.therapist
        page = self.client.get(f"/staff/courses/sessions/{self.session.pk}/")
        self.assertContains(page, "Reason for cancelling")
        self.assertContains(page, "Client has a fever.")

    def test_it_refuses_without_the_confirm_and_keeps_the_reason(self) -> None:
        response = self.cancel(reason="Client has a fever.")

        assert response.status_code == 200
        self.assertContains(response, "in the confirm to go ahead; nothing has changed")
        self.assertContains(response, ">Client has a fever.</textarea>")
        assert self.status() == SessionStatus.PLANNED

    def test_it_refuses_without_a_reason_beside_the_field(self) -> None:
        response = self.cancel(confirm="yes", reason=" ")

        assert response.status_code == 200
        self.assertContains(
            response, 'id="cancel-reason_error">Write why the session is cancelled.</p>'
        )
        self.assertContains(response, '<details class="confirm" open>')
        assert self.status() == SessionStatus.PLANNED
        assert not AuditEvent.objects.filter(action="session.cancel").exists()

    def test_it_refuses_a_service_call_without_a_reason(self) -> None:
        with self.assertRaisesMessage(services.SessionError, "Write why the session"):
            services.session_cancel(
                actor=Actor.for_user(self.therapist), session=self.session, reason=""
            )
        assert self.status() == SessionStatus.PLANNED

    def test_it_stores_the_reason_encrypted_and_audits_no_text(self) -> None:
        self.cancel(confirm="yes", reason="Client has a fever.")

        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT cancel_reason FROM {TreatmentSession._meta.db_table} WHERE id = %s",  # noqa: S608
                [self.session.pk],
            )
            (raw,) = cursor.fetchone()
        assert raw
        assert "fever" not in raw
        event = AuditEvent.objects.get(action="session.cancel")
        assert event.detail == {"fields": ["cancel_reason"]}

    def test_it_refuses_another_therapist(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.cancel(confirm="yes", reason="No.")

        assert response.status_code == 404
        assert self.status() == SessionStatus.PLANNED
