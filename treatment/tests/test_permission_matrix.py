"""Who may reach which treatment URL: every view × every role.

Anonymous → 302 to the sign-in page; a role without access → 403; an allowed
role → 200 for a GET, 302 for a POST. A view answering GET and POST is tried with
both; a method the view does not take gets 405. Reading a course or a session is
for CLIENT_ROLES; every change is for CLINICAL_ROLES. The coverage test in
accounts/tests/test_permission_matrix.py gathers this MATRIX.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from pathways.testing import assert_role_outcome, make_client, make_course, make_session, make_user
from treatment.models import SessionKind, SessionStatus, TreatmentCourse, TreatmentSession
from treatment.urls import urlpatterns

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER]
EVERY_STAFF_ROLE = {Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER}
CLIENT_ROLES = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
CLINICAL_ROLES = {Role.ADMIN, Role.THERAPIST}

Fixture = dict[str, Any]


@dataclass(frozen=True)
class Entry:
    methods: tuple[str, ...]
    allowed: set[str]
    obj: str  # the fixture object whose id the URL takes
    data: Callable[[Fixture], dict[str, Any]] = field(default=lambda practice: {})


def _course_form(practice: Fixture) -> dict[str, Any]:
    return {
        "modality": "kap",
        "planned_preparation": 3,
        "planned_dosing": 6,
        "planned_integration": 6,
        "goals": "Lift mood.",
        "status": "planned",
    }


MATRIX: dict[str, Entry] = {
    "treatment:new": Entry(("GET", "POST"), CLINICAL_ROLES, "client", _course_form),
    "treatment:course": Entry(("GET",), CLIENT_ROLES, "course"),
    "treatment:edit": Entry(("GET", "POST"), CLINICAL_ROLES, "course", _course_form),
    "treatment:session_add": Entry(
        ("POST",), CLINICAL_ROLES, "course", lambda practice: {"kind": "preparation"}
    ),
    "treatment:session": Entry(("GET",), CLIENT_ROLES, "session"),
    "treatment:escort": Entry(
        ("POST",),
        CLINICAL_ROLES,
        "session",
        lambda practice: {
            "escort_name": "Sam Rivera",
            "escort_phone": "(555) 010-0150",
            "confirmed": "on",
        },
    ),
    # The gate is closed for this client: an allowed start is refused with a message.
    "treatment:start": Entry(("POST",), CLINICAL_ROLES, "session"),
    "treatment:complete": Entry(("POST",), CLINICAL_ROLES, "session"),
    "treatment:cancel": Entry(("POST",), CLINICAL_ROLES, "session"),
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
    course = make_course(client, therapist)
    return {
        "users": users,
        "client": client,
        "course": course,
        "session": make_session(course, SessionKind.DOSING),
    }


def _url(name: str, practice: Fixture) -> str:
    return reverse(name, args=[practice[MATRIX[name].obj].pk])


def _client_for(role: str, practice: Fixture) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(practice["users"][role])
    return client


def test_the_matrix_names_every_treatment_url() -> None:
    assert set(MATRIX) == {f"treatment:{pattern.name}" for pattern in urlpatterns}


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


@pytest.mark.parametrize(("name", "method"), [c for c in CASES if c[1] == "POST"])
def test_a_refused_post_changes_nothing(name: str, method: str, practice: Fixture) -> None:
    entry = MATRIX[name]
    before = _snapshot()

    for role in (Role.INTAKE, Role.PRESCRIBER):
        response = _client_for(role, practice).post(_url(name, practice), entry.data(practice))
        assert response.status_code == 403

    assert _snapshot() == before
    assert TreatmentSession.objects.get(pk=practice["session"].pk).status == SessionStatus.PLANNED


def _snapshot() -> tuple[Any, ...]:
    return (
        list(TreatmentCourse.objects.order_by("id").values_list("id", "status", "planned_dosing")),
        list(
            TreatmentSession.objects.order_by("id").values_list(
                "id", "status", "escort_confirmed_at", "started_at"
            )
        ),
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
