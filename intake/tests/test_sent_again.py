"""The same person sending the public request form again within a day (same e-mail or
phone, same service) is not stored twice: the first request counts it, keeps anything
new as a note, and the inbox shows it as "sent again"."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from accounts.actor import Actor
from audit.models import AuditEvent
from intake.models import AppointmentRequest, RequestNote
from intake.services import IntakeError, RequestDetails, request_submit
from notifications.models import OutboundEmail
from pathways.testing import BaseTestCase, Job, make_service, run_together

PUBLIC = Actor.client_on_link("198.51.100.7")
DETAILS = RequestDetails(
    first_name="Marisol",
    last_name="Okafor",
    email="marisol@example.com",
    phone="(555) 010-0123",
    preferred_contact="phone",
    reason="Memories from an accident.",
    consent_to_contact=True,
    not_emergency_ack=True,
)


def submit(**changes: Any) -> tuple[AppointmentRequest, bool]:
    details = dataclasses.replace(DETAILS, **changes)
    return request_submit(actor=PUBLIC, details=details, token=uuid.uuid4(), ip_hash="h")


class SentAgainTestCase(BaseTestCase):
    def test_it_counts_a_second_submit_on_the_first_request(self) -> None:
        first, created = submit(service=self.service)
        before = timezone.now()

        again, created_again = submit(service=self.service)

        assert (created, created_again) == (True, False)
        assert again.pk == first.pk
        assert AppointmentRequest.objects.count() == 1
        first.refresh_from_db()
        assert first.sent_again_count == 1
        assert first.sent_again_at is not None
        assert first.sent_again_at >= before
        # The same words: a note says when, and nothing new.
        note = RequestNote.objects.get()
        assert note.body.endswith("Nothing new in it.")

    def test_it_keeps_a_new_message_and_contact_as_a_note(self) -> None:
        first, _ = submit()

        submit(email="MARISOL@example.com", phone="555 010 9999", reason="Also poor sleep.")

        note = RequestNote.objects.get(request=first)
        assert note.author is None
        assert "Message: Also poor sleep." in note.body
        assert "Phone: 555 010 9999" in note.body
        assert "E-mail" not in note.body  # the same address, case aside

    def test_it_matches_the_phone_by_its_digits(self) -> None:
        first, _ = submit()

        again, created = submit(email="other@example.com", phone="555.010.0123")

        assert not created
        assert again.pk == first.pk

    def test_it_stores_another_service_or_a_day_later_as_a_new_request(self) -> None:
        first, _ = submit(service=self.service)
        other, created = submit(service=make_service("emdr", title="KA-EMDR"))
        assert created
        AppointmentRequest.objects.filter(pk=first.pk).update(
            created_at=timezone.now() - timedelta(days=1, minutes=1)
        )
        later, created_later = submit(service=self.service)

        assert created_later
        assert len({first.pk, other.pk, later.pk}) == 3

    def test_it_queues_no_second_email_and_audits_the_repeat(self) -> None:
        first, _ = submit()
        emails = OutboundEmail.objects.count()

        submit(reason="Again, with more.")

        assert OutboundEmail.objects.count() == emails
        event = AuditEvent.objects.get(action="request.sent_again")
        assert event.object_id == str(first.pk)
        assert event.detail == {"count": 1, "note": True}

    def test_it_still_refuses_a_bad_second_submit(self) -> None:
        submit()

        with pytest.raises(IntakeError):
            submit(consent_to_contact=False)
        assert AppointmentRequest.objects.get().sent_again_count == 0

    def test_it_shows_the_person_the_received_page_and_the_inbox_sent_again(self) -> None:
        data = {
            "first_name": "Marisol",
            "last_name": "Okafor",
            "email": "marisol@example.com",
            "phone": "(555) 010-0123",
            "preferred_contact": "phone",
            "reason": "Memories from an accident.",
            "consent_to_contact": "on",
            "not_emergency_ack": "on",
        }
        for _ in range(2):
            response = self.client.post(
                "/request-an-appointment/", data | {"token": str(uuid.uuid4())}
            )
            self.assertRedirects(response, "/request-an-appointment/received/")

        assert AppointmentRequest.objects.count() == 1
        self.client.force_login(self.intake)
        inbox = self.client.get("/staff/requests/")
        self.assertContains(inbox, "Sent again", count=1)
        page = self.client.get(f"/staff/requests/{AppointmentRequest.objects.get().pk}/")
        self.assertContains(page, "1 time, last")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_simultaneous_submits_store_one_request(attempt: int) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot serve two writers at once")

    def job(reason: str) -> Job:
        return lambda: str(submit(reason=reason)[1])

    outcomes = run_together(job("First words."), job("Second words."), refused=(IntakeError,))

    assert sorted(outcomes) == ["False", "True"]
    first = AppointmentRequest.objects.get()
    assert first.sent_again_count == 1
    assert RequestNote.objects.filter(request=first).count() == 1
