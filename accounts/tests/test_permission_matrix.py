"""Who may reach which staff URL: every staff view × every role.

Anonymous → 302 to the sign-in page; a role without access → 403; an allowed
role → 200 for a GET view, 302 for a POST action. Each view also refuses the
other HTTP method with 405. `test_every_staff_url_is_in_the_matrix` fails when a
view is added under /staff/ without an entry here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from intake.models import RequestStatus
from pathways.testing import (
    assert_role_outcome,
    make_client,
    make_message,
    make_request,
    make_service,
    make_user,
)

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER]

EVERY_STAFF_ROLE = {Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER}
INBOX = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
MANAGERS = {Role.ADMIN, Role.INTAKE}


@dataclass(frozen=True)
class Entry:
    method: str
    allowed: set[str]
    obj: str | None = None  # which fixture object the URL points at
    data: dict[str, Any] = field(default_factory=dict)


MATRIX: dict[str, Entry] = {
    "dashboard:home": Entry("GET", EVERY_STAFF_ROLE),
    "intake:inbox": Entry("GET", INBOX),
    "intake:request": Entry("GET", INBOX, "request"),
    "intake:request_status": Entry("POST", MANAGERS, "request", {"status": "declined"}),
    "intake:request_assign": Entry("POST", MANAGERS, "request", {"clinician": ""}),
    "intake:request_note": Entry("POST", INBOX, "request", {"body": "Called back."}),
    "intake:request_convert": Entry("POST", MANAGERS, "request"),
    "intake:messages": Entry("GET", MANAGERS),
    "intake:message": Entry("GET", MANAGERS, "message"),
    "intake:message_handled": Entry("POST", MANAGERS, "message"),
    "clients:list": Entry("GET", INBOX),
    "clients:detail": Entry("GET", INBOX, "client"),
}
# The sign-in steps live under /staff/ but are not role-checked: they are for
# anyone signing in (test_login.py and test_two_factor.py cover them).
SIGN_IN_URLS = {"accounts:login", "accounts:verify", "accounts:otp_setup", "accounts:logout"}


@pytest.fixture
def practice(db: Any) -> dict[str, Any]:
    users = {role: make_user(f"user-{role}", role) for role in EVERY_STAFF_ROLE}
    therapist = users[Role.THERAPIST]
    service = make_service()
    # Every object is one the therapist may see: assigned to them.
    return {
        "users": users,
        "request": make_request(
            assigned_to=therapist, status=RequestStatus.SCHEDULED, service=service
        ),
        "client": make_client(assigned_therapist=therapist),
        "message": make_message(),
    }


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


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_wrong_method_is_refused(name: str, role: str, practice: dict[str, Any]) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)
    client = _client_for(role, practice)

    response = client.post(url, entry.data) if entry.method == "GET" else client.get(url)

    assert response.status_code == 405


# Each app with role-checked views keeps its own matrix (and fixture) beside its
# tests; this list gathers them so that no URL escapes every matrix.
MATRIX_MODULES = [
    "accounts.tests.test_permission_matrix",
    "clients.tests.test_permission_matrix",
    "partners.tests.test_permission_matrix",
    "prescriptions.tests.test_permission_matrix",
    "consents.tests.test_permission_matrix",
    "treatment.tests.test_permission_matrix",
    "scheduling.tests.test_permission_matrix",
    "dosing.tests.test_permission_matrix",
    "bls.tests.test_permission_matrix",
    "measures.tests.test_permission_matrix",
    "measures.tests.test_permission_matrix_alerts",
    "measures.tests.test_permission_matrix_outcomes",
]
CHECKED_PREFIXES = ("staff/", "partner/")


def _checked_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, ns)
            elif isinstance(pattern, URLPattern) and route.startswith(CHECKED_PREFIXES):
                names.add(namespace + (pattern.name or f"<unnamed {route}>"))

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_staff_and_partner_url_is_in_a_matrix() -> None:
    covered: set[str] = set()
    for module_name in MATRIX_MODULES:
        module = importlib.import_module(module_name)
        overlap = covered & set(module.MATRIX)
        assert not overlap, f"{module_name} repeats {overlap}"
        covered |= set(module.MATRIX)
    checked = _checked_url_names()

    assert checked - SIGN_IN_URLS == covered
    assert checked >= SIGN_IN_URLS


@pytest.mark.parametrize("name", ["accounts:verify", "accounts:otp_setup"])
def test_the_second_factor_pages_need_a_password_first(name: str, db: Any) -> None:
    url = reverse(name)

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/staff/sign-in/?next={url}"


@pytest.mark.django_db
def test_a_user_without_a_role_is_refused_everywhere(practice: dict[str, Any]) -> None:
    nobody = make_user("nobody", "")
    client = Client()
    client.force_login(nobody)
    for name, entry in MATRIX.items():
        url = _url(name, practice)
        response = client.get(url) if entry.method == "GET" else client.post(url, entry.data)
        assert response.status_code == 403, name
