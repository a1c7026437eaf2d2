"""Test factories for intake: an appointment request and a contact message, as the
public forms store them. Tests import them from pathways.testing."""

from __future__ import annotations

import uuid
from typing import Any

from intake.models import AppointmentRequest, ContactMessage


def make_request(**extra: Any) -> AppointmentRequest:
    data: dict[str, Any] = {
        "first_name": "Alice",
        "last_name": "Example",
        "email": "alice@example.com",
        "phone": "(555) 010-0123",
        "preferred_contact": "phone",
        "preferred_times": ["morning"],
        "reason": "Memories from an accident.",
        "consent_to_contact": True,
        "not_emergency_ack": True,
        "submission_token": uuid.uuid4(),
    }
    data.update(extra)
    return AppointmentRequest.objects.create(**data)


def make_message(**extra: Any) -> ContactMessage:
    data: dict[str, Any] = {"name": "Pat", "email": "pat@example.com", "message": "Fees?"}
    data.update(extra)
    return ContactMessage.objects.create(**data)
