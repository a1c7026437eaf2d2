"""Who may reach the client record's write URLs: every view × every role.

Anonymous → 302 to the sign-in page; a role without access → 403; an allowed
role → 200 for a GET, 302 for a POST. A view answering GET and POST is tried with
both; a method the view does not take gets 405. The list page and the record page
are in accounts/tests/test_permission_matrix.py; its coverage test gathers this
MATRIX too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from clients.models import Allergy, Diagnosis, ReportedMedication
from pathways.testing import assert_role_outcome, make_client, make_user

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER]
EVERY_STAFF_ROLE = {Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER}
CLIENT_ROLES = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
ALL_RECORDS_ROLES = {Role.ADMIN, Role.INTAKE}

Fixture = dict[str, Any]


@dataclass(frozen=True)
class Entry:
    methods: tuple[str, ...]
    allowed: set[str]
    objs: tuple[str, ...] = ()  # the fixture objects whose ids the URL takes, in order
    data: Callable[[Fixture], dict[str, Any]] = field(default=lambda practice: {})


def _client_form(practice: Fixture) -> dict[str, Any]:
    return {
        "first_name": "Ruth",
        "last_name": "Ellis",
        "status": "active",
        "assigned_therapist": practice["users"][Role.THERAPIST].pk,
    }


MATRIX: dict[str, Entry] = {
    "clients:new": Entry(("GET", "POST"), ALL_RECORDS_ROLES, data=_client_form),
    "clients:edit": Entry(("GET", "POST"), CLIENT_ROLES, ("client",), _client_form),
    "clients:diagnosis_add": Entry(
        ("POST",),
        CLIENT_ROLES,
        ("client",),
        lambda practice: {"diagnosis-code": "F33.1", "diagnosis-description": "MDD"},
    ),
    "clients:diagnosis_end": Entry(("POST",), CLIENT_ROLES, ("client", "diagnosis")),
    "clients:medication_add": Entry(
        ("POST",), CLIENT_ROLES, ("client",), lambda practice: {"medication-name": "Sertraline"}
    ),
    "clients:medication_end": Entry(("POST",), CLIENT_ROLES, ("client", "medication")),
    "clients:allergy_add": Entry(
        ("POST",),
        CLIENT_ROLES,
        ("client",),
        lambda practice: {"allergy-substance": "Latex", "allergy-severity": "mild"},
    ),
    "clients:allergy_end": Entry(("POST",), CLIENT_ROLES, ("client", "allergy")),
}

CASES = [(name, method) for name, entry in sorted(MATRIX.items()) for method in entry.methods]


def _wrong_method(entry: Entry) -> str:
    return next(m for m in ("POST", "GET", "PUT") if m not in entry.methods)


@pytest.fixture
def practice(db: Any) -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in EVERY_STAFF_ROLE}
    therapist = users[Role.THERAPIST]
    # Every object is one the therapist may see: their client's.
    client = make_client(assigned_therapist=therapist)
    return {
        "users": users,
        "client": client,
        "diagnosis": Diagnosis.objects.create(
            client=client, code="F43.10", description="PTSD", added_by=therapist
        ),
        "medication": ReportedMedication.objects.create(client=client, name="Bupropion"),
        "allergy": Allergy.objects.create(client=client, substance="Penicillin"),
    }


def _url(name: str, practice: Fixture) -> str:
    return reverse(name, args=[practice[obj].pk for obj in MATRIX[name].objs])


def _client_for(role: str, practice: Fixture) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(practice["users"][role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method"), CASES)
def test_access(name: str, method: str, role: str, practice: Fixture) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)
    client = _client_for(role, practice)

    response = client.get(url) if method == "GET" else client.post(url, entry.data(practice))

    assert_role_outcome(response, role=role, allowed=entry.allowed, method=method, url=url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_wrong_method_is_refused(name: str, role: str, practice: Fixture) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)
    client = _client_for(role, practice)

    response = client.generic(_wrong_method(entry), url)

    assert response.status_code == 405


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_a_refused_post_changes_nothing(name: str, practice: Fixture) -> None:
    entry = MATRIX[name]
    if "POST" not in entry.methods:
        pytest.skip("no POST")
    client = _client_for(Role.PRESCRIBER, practice)
    before = _snapshot(practice)

    response = client.post(_url(name, practice), entry.data(practice))

    assert response.status_code == 403
    assert _snapshot(practice) == before


def _snapshot(practice: Fixture) -> tuple[Any, ...]:
    from clients.models import Client as Record

    return (
        list(Record.objects.values_list("id", "first_name", "assigned_therapist")),
        list(Diagnosis.objects.values_list("id", "resolved_at")),
        list(ReportedMedication.objects.values_list("id", "stopped_at")),
        list(Allergy.objects.values_list("id", "removed_at")),
    )


@pytest.mark.django_db
def test_a_user_without_a_role_is_refused_everywhere(practice: Fixture) -> None:
    nobody = make_user("nobody", "")
    client = Client()
    client.force_login(nobody)
    for name, method in CASES:
        url = _url(name, practice)
        data = MATRIX[name].data(practice)
        response = client.get(url) if method == "GET" else client.post(url, data)
        assert response.status_code == 403, (name, method)
