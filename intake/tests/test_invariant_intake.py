"""The intake services refuse what the forms refuse, also when called without a form
(a crafted caller, a script): nothing is stored, no e-mail is queued, nothing audited."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest

from accounts.actor import Actor
from accounts.models import Role
from audit.models import AuditEvent
from intake.models import AppointmentRequest, ContactMessage, RequestNote, RequestStatus
from intake.services import (
    IntakeError,
    MessageDetails,
    RequestDetails,
    message_mark_handled,
    message_submit,
    request_add_note,
    request_assign,
    request_set_status,
    request_submit,
)
from notifications.models import OutboundEmail
from pathways.testing import BaseTestCase, make_message, make_request, make_service, make_user

GOOD_REQUEST = RequestDetails(
    first_name="Marisol",
    last_name="Okafor",
    email="marisol@example.com",
    phone="(555) 010-0123",
    preferred_contact="phone",
    reason="Memories from an accident.",
    consent_to_contact=True,
    not_emergency_ack=True,
    preferred_times=("morning",),
)
GOOD_MESSAGE = MessageDetails(name="Pat", email="pat@example.com", message="Your fees?")
PUBLIC = Actor.client_on_link("198.51.100.7")


class RequestSubmitInvariantTestCase(BaseTestCase):
    def submit(self, **changes: Any) -> tuple[AppointmentRequest, bool]:
        details = dataclasses.replace(GOOD_REQUEST, **changes)
        return request_submit(actor=PUBLIC, details=details, token=uuid.uuid4(), ip_hash="h")

    def assert_nothing_stored(self) -> None:
        assert not AppointmentRequest.objects.exists()
        assert not OutboundEmail.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_it_stores_a_good_request(self) -> None:
        appt, created = self.submit(service=self.service)

        assert created
        assert appt.service == self.service
        assert appt.preferred_times == ["morning"]
        assert AuditEvent.objects.get().action == "request.create"

    def test_it_refuses_a_request_without_consent_or_the_emergency_acknowledgement(
        self,
    ) -> None:
        for field in ("consent_to_contact", "not_emergency_ack"):
            with self.subTest(field=field):
                with pytest.raises(IntakeError) as caught:
                    self.submit(**{field: False})
                assert caught.value.field == field
        self.assert_nothing_stored()

    def test_it_refuses_values_the_form_would_refuse(self) -> None:
        for field, value in (
            ("first_name", ""),
            ("last_name", "x" * 81),
            ("email", "not-an-address"),
            ("phone", "010-01"),
            ("phone", ""),
            ("preferred_contact", "pigeon"),
            ("preferred_times", ("midnight",)),
            ("reason", ""),
            ("reason", "x" * 1001),
            ("heard_about", "tv"),
        ):
            with self.subTest(field=field, value=value):
                with pytest.raises(IntakeError) as caught:
                    self.submit(**{field: value})
                assert caught.value.field == field
        self.assert_nothing_stored()

    def test_it_refuses_a_service_that_is_not_published(self) -> None:
        hidden = make_service("hidden", published=False)

        with pytest.raises(IntakeError) as caught:
            self.submit(service=hidden)

        assert caught.value.field == "service"
        self.assert_nothing_stored()


class MessageSubmitInvariantTestCase(BaseTestCase):
    def submit(self, **changes: Any) -> tuple[ContactMessage, bool]:
        details = dataclasses.replace(GOOD_MESSAGE, **changes)
        return message_submit(actor=PUBLIC, details=details, token=uuid.uuid4(), ip_hash="h")

    def test_it_stores_a_message_with_or_without_a_phone(self) -> None:
        self.submit()
        self.submit(phone="(555) 010-0123")

        assert ContactMessage.objects.count() == 2

    def test_it_refuses_values_the_form_would_refuse(self) -> None:
        for field, value in (
            ("name", ""),
            ("email", "pat@"),
            ("phone", "12"),
            ("message", ""),
            ("message", "x" * 2001),
        ):
            with self.subTest(field=field, value=value):
                with pytest.raises(IntakeError) as caught:
                    self.submit(**{field: value})
                assert caught.value.field == field
        assert not ContactMessage.objects.exists()
        assert not OutboundEmail.objects.exists()
        assert not AuditEvent.objects.exists()


class StaffInvariantTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.appt = make_request()
        self.actor = Actor.for_user(self.intake)

    def test_it_assigns_only_an_active_therapist(self) -> None:
        retired = make_user("retired", Role.THERAPIST, is_active=False)
        for user in (self.prescriber, self.intake, retired):
            with self.subTest(user=user.username):
                with pytest.raises(IntakeError) as caught:
                    request_assign(actor=self.actor, appt=self.appt, clinician=user)
                assert caught.value.field == "clinician"
        self.appt.refresh_from_db()
        assert self.appt.assigned_to is None
        assert not AuditEvent.objects.filter(action="request.assign").exists()

    def test_it_refuses_an_empty_or_overlong_note(self) -> None:
        for body in ("", "   \n ", "x" * 4001):
            with self.subTest(length=len(body)):
                with pytest.raises(IntakeError) as caught:
                    request_add_note(actor=self.actor, appt=self.appt, body=body)
                assert caught.value.field == "body"
        assert not RequestNote.objects.exists()
        assert not AuditEvent.objects.filter(action="request.note").exists()

    def test_it_refuses_a_status_the_workflow_does_not_know(self) -> None:
        for status in ("archived", RequestStatus.CONVERTED):
            with self.subTest(status=status), pytest.raises(IntakeError):
                request_set_status(actor=self.actor, appt=self.appt, status=status)

        self.appt.refresh_from_db()
        assert self.appt.status == RequestStatus.NEW
        assert not self.appt.status_changes.exists()

    def test_a_message_handled_twice_keeps_who_handled_it_first(self) -> None:
        message = make_message()

        message_mark_handled(actor=Actor.for_user(self.admin), message=message)
        message_mark_handled(actor=self.actor, message=message)

        message.refresh_from_db()
        assert message.handled_by == self.admin
        assert AuditEvent.objects.filter(action="message.handled").count() == 1
