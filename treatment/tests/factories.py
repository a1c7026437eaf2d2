"""Test factories for treatment: a treatment course and one of its sessions.
Tests import them from pathways.testing."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from clients.models import Client
from treatment.models import Modality, SessionKind, TreatmentCourse, TreatmentSession


def make_course(client: Client, created_by: User, **extra: Any) -> TreatmentCourse:
    data: dict[str, Any] = {"modality": Modality.KAP, "goals": "Lift mood; reconnect."}
    data.update(extra)
    return TreatmentCourse.objects.create(client=client, created_by=created_by, **data)


def make_session(
    course: TreatmentCourse, kind: str = SessionKind.DOSING, **extra: Any
) -> TreatmentSession:
    return TreatmentSession.objects.create(course=course, kind=kind, **extra)
