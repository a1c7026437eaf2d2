"""Who may reach which safety-alert URL: every view × every role.

Anonymous → 302 to the sign-in page; a role without access → 403; an allowed
role → 200 for a GET view, 302 for a POST action; the other method → 405.
Alerts are for CLIENT_ROLES (admin, intake, therapist); prescribers get 403.
Acknowledging is for clinicians only: the therapist and an admin who is a
clinician (the fixture's admin is one); the intake coordinator gets 403.
The fixture's alert is for a client assigned to the therapist; every CLIENT_ROLES
user may see every alert. The coverage test in accounts/tests/test_permission_matrix.py
gathers this MATRIX.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from measures.alert_urls import app_name, urlpatterns
from measures.safety import raise_alerts
from measures.tests.test_safety_helpers import make_instrument, make_response
from pathways.testing import assert_role_outcome, make_client, make_user

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER]
EVERY_STAFF_ROLE: set[str] = {Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER}
CLIENT_ROLES: set[str] = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
CLINICIAN_ROLES: set[str] = {Role.ADMIN, Role.THERAPIST}


@dataclass(frozen=True)
class Entry:
    method: str
    allowed: set[str]
    obj: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


MATRIX: dict[str, Entry] = {
    "alerts:list": Entry("GET", CLIENT_ROLES),
    "alerts:alert": Entry("GET", CLIENT_ROLES, "alert"),
    "alerts:acknowledge": Entry(
        "POST",
        CLINICIAN_ROLES,
        "alert",
        {"action": "safety_plan", "action_note": "Called the client; safety plan."},
    ),
}


def test_the_matrix_names_every_alert_url() -> None:
    assert set(MATRIX) == {f"{app_name}:{pattern.name}" for pattern in urlpatterns}


@pytest.fixture
def practice(db: Any) -> dict[str, Any]:
    users = {role: make_user(f"user-{role}", role) for role in EVERY_STAFF_ROLE}
    users[Role.ADMIN].is_clinician = True
    users[Role.ADMIN].save()
    client = make_client(assigned_therapist=users[Role.THERAPIST])
    (alert,) = raise_alerts(None, make_response(client, make_instrument(), q9=1))
    return {"users": users, "client": client, "alert": alert}


def _url(name: str, practice: dict[str, Any]) -> str:
    entry = MATRIX[name]
    args = [practice[entry.obj].pk] if entry.obj else []
    return reverse(name, args=args)


def _client_for(role: str, practice: dict[str, Any]) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(practice["users"][role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name: str, role: str, practice: dict[str, Any]) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)
    client = _client_for(role, practice)

    response = client.get(url) if entry.method == "GET" else client.post(url, entry.data)

    assert_role_outcome(response, role=role, allowed=entry.allowed, method=entry.method, url=url)
    if entry.method == "POST":
        practice["alert"].refresh_from_db()
        assert practice["alert"].is_open is (role not in entry.allowed)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_wrong_method_is_refused(name: str, role: str, practice: dict[str, Any]) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)
    client = _client_for(role, practice)

    response = client.post(url, entry.data) if entry.method == "GET" else client.get(url)

    assert response.status_code == 405
