"""Who may reach which outcomes URL (measures/report_urls.py): every view × every role.

Anonymous → 302 to sign in; a role without access → 403; an allowed role → 200.
The client pages are for CLIENT_ROLES; the practice report, its chart and its CSV
for the admin only (see measures/report_views.py for why).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from measures import report_urls
from measures.tests.test_report import load_instruments
from pathways.testing import make_client, make_user

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER]
EVERY_STAFF_ROLE: set[str] = {Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER}
CLIENT_ROLES: set[str] = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
ADMIN: set[str] = {Role.ADMIN}


@dataclass(frozen=True)
class Entry:
    method: str
    allowed: set[str]
    args: tuple[str, ...] = ()  # "client" → the fixture client's pk; anything else as is


MATRIX: dict[str, Entry] = {
    "outcomes:report": Entry("GET", ADMIN),
    "outcomes:report_chart": Entry("GET", ADMIN),
    "outcomes:export": Entry("GET", ADMIN),
    "outcomes:client": Entry("GET", CLIENT_ROLES, ("client",)),
    "outcomes:client_chart": Entry("GET", CLIENT_ROLES, ("client", "phq9")),
}


@pytest.fixture
def practice(db: Any) -> dict[str, Any]:
    load_instruments()
    users = {role: make_user(f"user-{role}", role) for role in EVERY_STAFF_ROLE}
    # The client is the therapist's own, so the therapist is allowed.
    return {"users": users, "client": make_client(assigned_therapist=users[Role.THERAPIST])}


def _url(name: str, practice: dict[str, Any]) -> str:
    args = [practice[a].pk if a == "client" else a for a in MATRIX[name].args]
    return reverse(name, args=args)


def _client_for(role: str, practice: dict[str, Any]) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(practice["users"][role])
    return client


def test_the_matrix_names_every_outcomes_url() -> None:
    names = {f"{report_urls.app_name}:{p.name}" for p in report_urls.urlpatterns}

    assert set(MATRIX) == names


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name: str, role: str, practice: dict[str, Any]) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)

    response = _client_for(role, practice).get(url)

    if role == ANONYMOUS:
        assert response.status_code == 302
        assert response["Location"] == f"/staff/sign-in/?next={url}"
    elif role in entry.allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_wrong_method_is_refused(name: str, role: str, practice: dict[str, Any]) -> None:
    response = _client_for(role, practice).post(_url(name, practice))

    assert response.status_code == 405
