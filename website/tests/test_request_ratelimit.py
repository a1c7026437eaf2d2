from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from common.ratelimit import ip_hash
from intake.models import AppointmentRequest
from pathways.testing import BaseTestCase, make_message, make_request

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

URL = "/request-an-appointment/"
IP = "198.51.100.40"


def form_data(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "first_name": "Ines",
        "last_name": "Halvorsen",
        "email": "ines@example.com",
        "phone": "(555) 010-0150",
        "preferred_contact": "phone",
        "reason": "Panic attacks at work.",
        "consent_to_contact": "on",
        "not_emergency_ack": "on",
        "token": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


class RequestRateLimitTestCase(BaseTestCase):
    def submit(self, ip: str = IP, **extra: Any) -> TestResponse:
        # Each submit from another person: the same one again within a day is counted
        # on their first request, not stored (intake.services.request_submit).
        self.people = getattr(self, "people", 0) + 1
        person = {"email": f"p{self.people}@example.com", "phone": f"(555) 010-{self.people:04d}"}
        return self.client.post(URL, form_data(**(person | extra)), REMOTE_ADDR=ip)

    def fill_the_limit(self) -> None:
        for _ in range(settings.PUBLIC_FORM_RATE_LIMIT):
            assert self.submit().status_code == 302

    def test_it_refuses_the_next_submission_in_the_hour(self) -> None:
        self.fill_the_limit()

        response = self.submit(first_name="Odalys", reason="Grief after my father died.")

        assert response.status_code == 429
        self.assertContains(response, "Please call us instead", status_code=429)
        self.assertContains(response, "nothing you typed has been lost", status_code=429)
        self.assertContains(response, 'value="Odalys"', status_code=429)
        self.assertContains(response, "Grief after my father died.", status_code=429)
        assert AppointmentRequest.objects.count() == settings.PUBLIC_FORM_RATE_LIMIT

    def test_it_does_not_limit_another_address(self) -> None:
        self.fill_the_limit()

        response = self.submit(ip="198.51.100.41")

        assert response.status_code == 302
        assert AppointmentRequest.objects.count() == settings.PUBLIC_FORM_RATE_LIMIT + 1

    def test_it_counts_contact_messages_too(self) -> None:
        for _ in range(settings.PUBLIC_FORM_RATE_LIMIT):
            make_message(ip_hash=ip_hash(IP))

        assert self.submit().status_code == 429

    def test_it_forgets_submissions_older_than_an_hour(self) -> None:
        for _ in range(settings.PUBLIC_FORM_RATE_LIMIT):
            make_request(ip_hash=ip_hash(IP))
        AppointmentRequest.objects.update(created_at=timezone.now() - timedelta(minutes=61))

        assert self.submit().status_code == 302

    def test_it_still_accepts_a_repeat_of_a_stored_submission(self) -> None:
        # A double click on the last allowed submit must not show the limit page.
        for _ in range(settings.PUBLIC_FORM_RATE_LIMIT - 1):
            self.submit()
        token = str(uuid.uuid4())
        assert self.submit(token=token).status_code == 302

        assert self.submit(token=token).status_code == 302
        assert AppointmentRequest.objects.count() == settings.PUBLIC_FORM_RATE_LIMIT
