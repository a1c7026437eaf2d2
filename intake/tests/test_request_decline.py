"""Declining a request asks for a confirm and the reason; marking it as spam for a
confirm. The server refuses each without them, with the message beside the field
and what was typed kept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection

from accounts.actor import Actor
from audit.models import AuditEvent
from intake.models import AppointmentRequest, RequestStatus, StatusChange
from intake.services import IntakeError, request_set_status
from pathways.testing import BaseTestCase, make_request

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class RequestDeclineTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.appt = make_request(status=RequestStatus.SCHEDULED)
        self.client.force_login(self.intake)

    def decline(self, **data: Any) -> TestResponse:
        return self.client.post(f"/staff/requests/{self.appt.pk}/decline/", data)

    def status(self) -> str:
        self.appt.refresh_from_db()
        return self.appt.status

    def test_it_declines_with_the_reason_kept_in_the_history(self) -> None:
        response = self.decline(confirm="yes", reason="Outside our area; referred on.")

        self.assertRedirects(response, f"/staff/requests/{self.appt.pk}/")
        assert self.status() == RequestStatus.DECLINED
        change = StatusChange.objects.get(request=self.appt)
        assert change.reason == "Outside our area; referred on."
        page = self.client.get(f"/staff/requests/{self.appt.pk}/")
        self.assertContains(page, "Reason: Outside our area; referred on.")

    def test_it_refuses_without_the_confirm_and_keeps_the_reason(self) -> None:
        response = self.decline(reason="Outside our area.")

        assert response.status_code == 200
        self.assertContains(response, "Press the confirm button to go ahead")
        self.assertContains(response, ">Outside our area.</textarea>")
        self.assertContains(response, '<details class="confirm" open>')
        assert self.status() == RequestStatus.SCHEDULED
        assert not StatusChange.objects.exists()

    def test_it_refuses_without_a_reason_beside_the_field(self) -> None:
        response = self.decline(confirm="yes", reason="   ")

        assert response.status_code == 200
        self.assertContains(
            response, 'id="decline-reason_error">Write why the request is declined.</p>'
        )
        self.assertContains(response, 'aria-describedby="decline-reason_error"')
        assert self.status() == RequestStatus.SCHEDULED
        assert not AuditEvent.objects.filter(action="request.status").exists()

    def test_it_stores_the_reason_encrypted_and_audits_no_text(self) -> None:
        self.decline(confirm="yes", reason="Outside our area.")

        change = StatusChange.objects.get()
        with connection.cursor() as cursor:
            cursor.execute("SELECT reason FROM intake_statuschange WHERE id = %s", [change.pk])
            (raw,) = cursor.fetchone()
        assert raw
        assert "Outside" not in raw
        event = AuditEvent.objects.get(action="request.status")
        assert event.detail == {"from": "scheduled", "to": "declined", "reason": True}

    def test_it_refuses_a_service_call_without_a_reason(self) -> None:
        with self.assertRaisesMessage(IntakeError, "Write why the request is declined."):
            request_set_status(
                actor=Actor.for_user(self.intake), appt=self.appt, status="declined"
            )
        assert self.status() == RequestStatus.SCHEDULED

    def test_it_refuses_a_therapist(self) -> None:
        self.client.force_login(self.therapist)

        response = self.decline(confirm="yes", reason="No.")

        assert response.status_code == 403
        assert self.status() == RequestStatus.SCHEDULED

    def test_it_marks_spam_only_after_the_confirm(self) -> None:
        appt = make_request()
        url = f"/staff/requests/{appt.pk}/spam/"

        refused = self.client.post(url)
        appt.refresh_from_db()
        assert refused.status_code == 200
        self.assertContains(refused, "Press the confirm button to go ahead")
        assert appt.status == RequestStatus.NEW

        self.client.post(url, {"confirm": "yes"})
        appt.refresh_from_db()
        assert appt.status == RequestStatus.SPAM

    def test_it_offers_decline_only_while_it_is_allowed(self) -> None:
        for status, offered in (
            (RequestStatus.SCHEDULED, True),
            (RequestStatus.DECLINED, False),
            (RequestStatus.CONVERTED, False),
        ):
            with self.subTest(status=status):
                AppointmentRequest.objects.filter(pk=self.appt.pk).update(status=status)

                page = self.client.get(f"/staff/requests/{self.appt.pk}/")

                assert ("Decline this request" in page.content.decode()) is offered
