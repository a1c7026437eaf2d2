"""Shared test helpers: users of every role, and small factories."""

from __future__ import annotations

import uuid
from typing import Any

from django.test import TestCase

from accounts.models import Role, User
from clients.models import Client
from intake.models import AppointmentRequest, ContactMessage
from website.models import Service

PASSWORD = "correct horse battery staple"  # noqa: S105


def make_user(username: str, role: str, **extra: Any) -> User:
    user = User(username=username, role=role, email=f"{username}@pathways.example", **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_service(slug: str = "kap", **extra: Any) -> Service:
    defaults: dict[str, Any] = {
        "title": slug.upper(),
        "summary": f"{slug} summary",
        "what_it_is": "What it is.",
        "who_it_may_help": "Who it may help.",
        "how_it_works": "How it works.",
        "session_experience": "What a session is like.",
    }
    defaults.update(extra)
    return Service.objects.create(slug=slug, **defaults)


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


def make_client(**extra: Any) -> Client:
    data: dict[str, Any] = {"first_name": "Bob", "last_name": "Client", "email": "bob@example.com"}
    data.update(extra)
    return Client.objects.create(**data)


def make_message(**extra: Any) -> ContactMessage:
    data: dict[str, Any] = {"name": "Pat", "email": "pat@example.com", "message": "Fees?"}
    data.update(extra)
    return ContactMessage.objects.create(**data)


class BaseTestCase(TestCase):
    """A practice with one user per role (and a second therapist)."""

    admin: User
    intake: User
    therapist: User
    therapist2: User
    prescriber: User
    service: Service

    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)
        cls.intake = make_user("intake", Role.INTAKE)
        cls.therapist = make_user("therapist", Role.THERAPIST, first_name="Theo")
        cls.therapist2 = make_user("therapist2", Role.THERAPIST, first_name="Tess")
        cls.prescriber = make_user("prescriber", Role.PRESCRIBER)
        cls.service = make_service("kap", title="Ketamine-Assisted Psychotherapy (KAP)")
