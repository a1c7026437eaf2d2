"""Who may reach which EMDR URL: every view × every role.

Anonymous → 302 to the sign-in page; a role without access → 403; an allowed
role → 200 for a GET, 302 for a POST; the other method → 405. Reading a record
(and its timeline picture) is for CLIENT_ROLES; every change is for CLINICAL_ROLES.
The coverage test in accounts/tests/test_permission_matrix.py gathers this MATRIX.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from bls.models import DesensitisationSet, EmdrRecord, PhaseMark
from bls.urls import urlpatterns
from pathways.testing import assert_role_outcome, make_client, make_course, make_session, make_user
from treatment.models import Modality, SessionKind

from .support import make_emdr_appointment

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER]
EVERY_STAFF_ROLE = {Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER}
CLIENT_ROLES = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
CLINICAL_ROLES = {Role.ADMIN, Role.THERAPIST}

Fixture = dict[str, Any]


@dataclass(frozen=True)
class Entry:
    method: str
    allowed: set[str]
    obj: str  # the fixture object whose id the URL takes
    data: Callable[[Fixture], dict[str, Any]] = field(default=lambda practice: {})


MATRIX: dict[str, Entry] = {
    "bls:new": Entry("POST", CLINICAL_ROLES, "session"),
    "bls:new_for_appointment": Entry("POST", CLINICAL_ROLES, "appointment"),
    "bls:record": Entry("GET", CLIENT_ROLES, "record"),
    "bls:phase": Entry("POST", CLINICAL_ROLES, "record", lambda practice: {"phase": "3"}),
    "bls:assessment": Entry(
        "POST", CLINICAL_ROLES, "record", lambda practice: {"sud_start": "7", "voc_start": "2"}
    ),
    "bls:set_add": Entry(
        "POST",
        CLINICAL_ROLES,
        "record",
        lambda practice: {"bls_type": "eyes", "speed_hz": "1.0", "passes": "24"},
    ),
    "bls:closing": Entry("POST", CLINICAL_ROLES, "record", lambda practice: {"sud_end": "0"}),
    "bls:timeline_svg": Entry("GET", CLIENT_ROLES, "record"),
}


@pytest.fixture
def practice(db: Any) -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in EVERY_STAFF_ROLE}
    therapist = users[Role.THERAPIST]
    # Every object is one the therapist may see: their client's.
    client = make_client(assigned_therapist=therapist)
    course = make_course(client, therapist, modality=Modality.KA_EMDR)
    with_record = make_session(course, SessionKind.DOSING)
    return {
        "users": users,
        "session": make_session(course, SessionKind.PREPARATION),
        "appointment": make_emdr_appointment(client, therapist, timezone.now()),
        "record": EmdrRecord.objects.create(session=with_record, created_by=therapist),
    }


def _url(name: str, practice: Fixture) -> str:
    return reverse(name, args=[practice[MATRIX[name].obj].pk])


def _client_for(role: str, practice: Fixture) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(practice["users"][role])
    return client


def test_the_matrix_names_every_emdr_url() -> None:
    assert set(MATRIX) == {f"bls:{pattern.name}" for pattern in urlpatterns}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name: str, role: str, practice: Fixture) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)
    client = _client_for(role, practice)

    response = client.get(url) if entry.method == "GET" else client.post(url, entry.data(practice))

    assert_role_outcome(response, role=role, allowed=entry.allowed, method=entry.method, url=url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_wrong_method_is_refused(name: str, role: str, practice: Fixture) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)
    client = _client_for(role, practice)

    response = client.post(url, entry.data(practice)) if entry.method == "GET" else client.get(url)

    assert response.status_code == 405


@pytest.mark.parametrize("name", [n for n, e in sorted(MATRIX.items()) if e.method == "POST"])
def test_a_refused_post_changes_nothing(name: str, practice: Fixture) -> None:
    entry = MATRIX[name]
    before = _snapshot()

    for role in (Role.INTAKE, Role.PRESCRIBER):
        response = _client_for(role, practice).post(_url(name, practice), entry.data(practice))
        assert response.status_code == 403

    assert _snapshot() == before


def _snapshot() -> tuple[Any, ...]:
    return (
        list(EmdrRecord.objects.order_by("id").values_list("id", "sud_start", "sud_end")),
        PhaseMark.objects.count(),
        DesensitisationSet.objects.count(),
    )


@pytest.mark.django_db
def test_a_user_without_a_role_is_refused_everywhere(practice: Fixture) -> None:
    nobody = make_user("nobody", "")
    client = Client()
    client.force_login(nobody)
    for name, entry in MATRIX.items():
        url = _url(name, practice)
        data = entry.data(practice)
        response = client.get(url) if entry.method == "GET" else client.post(url, data)
        assert response.status_code == 403, name
