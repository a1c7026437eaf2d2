from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.messages import get_messages
from django.utils import timezone

from audit.models import AuditEvent
from intake.models import (
    FORWARD,
    REQUEST_TRANSITIONS,
    AppointmentRequest,
    RequestStatus,
    StatusChange,
)
from pathways.testing import BaseTestCase, make_request

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

ALL = [value for value, _ in RequestStatus.choices]


class RequestStatusTestCase(BaseTestCase):
    def move(self, appt: AppointmentRequest, to_status: str) -> TestResponse:
        # Redirects are not followed, so drop the unread messages of the last move.
        self.client.cookies.pop("messages", None)
        return self.client.post(f"/staff/requests/{appt.pk}/status/", {"status": to_status})

    def message(self, response: TestResponse) -> str:
        # Messages live in the session, so unread ones from earlier steps queue up.
        return str(list(get_messages(response.wsgi_request))[-1])

    def test_it_follows_the_practice_workflow(self) -> None:
        # A guard on the table itself, so a change to it is a deliberate one.
        live = {k: set(v) - {"merged"} for k, v in REQUEST_TRANSITIONS.items()}
        assert live == {
            "new": {"contacted", "declined", "spam"},
            "contacted": {"scheduled", "declined", "spam"},
            "scheduled": {"declined"},
            "declined": {"new"},
            "spam": {"new"},
            "converted": set(),
            "merged": set(),
        }
        # Any live request may be merged into the first one the person sent.
        merge_from = {k for k, v in REQUEST_TRANSITIONS.items() if "merged" in v}
        assert merge_from == {"new", "contacted", "scheduled", "declined"}

    def test_it_makes_every_allowed_forward_move(self) -> None:
        self.client.force_login(self.intake)
        for from_status, targets in REQUEST_TRANSITIONS.items():
            for to_status in set(targets) & set(FORWARD):
                with self.subTest(from_status=from_status, to_status=to_status):
                    appt = make_request(status=from_status)
                    before = timezone.now()

                    response = self.move(appt, to_status)

                    self.assertRedirects(
                        response, f"/staff/requests/{appt.pk}/", fetch_redirect_response=False
                    )
                    appt.refresh_from_db()
                    assert appt.status == to_status
                    change = StatusChange.objects.get(request=appt)
                    assert (change.from_status, change.to_status) == (from_status, to_status)
                    assert change.changed_by == self.intake
                    assert before <= change.changed_at <= timezone.now()
                    assert self.message(response) == "Status updated."

    def test_it_refuses_every_other_forward_move(self) -> None:
        self.client.force_login(self.admin)
        for from_status in ALL:
            for to_status in set(FORWARD) - set(REQUEST_TRANSITIONS[from_status]):
                with self.subTest(from_status=from_status, to_status=to_status):
                    appt = make_request(status=from_status)

                    response = self.move(appt, to_status)

                    assert response.status_code == 302
                    appt.refresh_from_db()
                    assert appt.status == from_status
                    assert not StatusChange.objects.filter(request=appt).exists()
                    assert "cannot move to" in self.message(response)
        assert not AuditEvent.objects.filter(action="request.status").exists()

    def test_it_refuses_a_closing_move_without_its_confirm(self) -> None:
        # Declining, spam, converting and merging each have their own confirm: the
        # status buttons cannot reach them, whatever is posted.
        self.client.force_login(self.admin)
        for to_status in ("declined", "spam", "converted", "merged", "archived"):
            with self.subTest(to_status=to_status):
                appt = make_request(status=RequestStatus.SCHEDULED)

                response = self.move(appt, to_status)

                assert (
                    self.message(response) == "Choose one of the buttons to move the request on."
                )
                appt.refresh_from_db()
                assert appt.status == "scheduled"
        assert not StatusChange.objects.exists()

    def test_it_shows_the_error_on_the_request_page(self) -> None:
        appt = make_request()
        self.client.force_login(self.intake)

        response = self.client.post(
            f"/staff/requests/{appt.pk}/status/", {"status": "scheduled"}, follow=True
        )

        self.assertContains(response, "A new request cannot move to “scheduled”.")

    def test_it_writes_an_audit_entry(self) -> None:
        appt = make_request(status=RequestStatus.CONTACTED)
        self.client.force_login(self.intake)

        self.move(appt, "scheduled")

        event = AuditEvent.objects.get(action="request.status")
        assert event.actor == self.intake
        assert event.object_id == str(appt.pk)
        assert event.detail == {"from": "contacted", "to": "scheduled"}
        assert event.ip == "127.0.0.1"
