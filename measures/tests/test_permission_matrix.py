"""Who may reach which measures URL (measures/urls.py): every staff view × every role.

Anonymous → 302 to the sign-in page; a role without access → 403; an allowed
role → 200 for a GET view, 302 for a POST; the wrong method → 405. Someone
else's client or course → 404. The public answering page (/measures/<token>/) is
not a staff URL: test_answer.py covers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from measures.models import MeasureLink, MeasureSchedule, Response
from measures.tests.support import PHQ9, answers
from pathways.testing import assert_role_outcome, make_client, make_course, make_user

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER]

CLINICAL: set[Role] = {Role.ADMIN, Role.THERAPIST}
CLIENT_READERS: set[Role] = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}


def _paper_data() -> dict[str, Any]:
    data: dict[str, Any] = {f"phq9-{k}": str(v) for k, v in answers(PHQ9).items()}
    data["answered_on"] = timezone.localdate().isoformat()
    return data


SCHEDULE_DATA = {"instruments": ["phq9"], "before_dosing": "on"}


@dataclass(frozen=True)
class Entry:
    obj: str  # which fixture object the URL points at
    allowed: set[Role]
    methods: tuple[str, ...] = ("GET",)
    data: dict[str, Any] = field(default_factory=dict)
    code: bool = False  # the URL also takes an instrument code


MATRIX: dict[str, Entry] = {
    "measures:client": Entry("client", CLIENT_READERS),
    # Sending is open to intake staff (baselines at intake); see measures/views.py.
    "measures:send": Entry("client", CLIENT_READERS, ("GET", "POST"), {"instruments": ["phq9"]}),
    "measures:paper": Entry("client", CLIENT_READERS, ("GET", "POST"), _paper_data(), code=True),
    "measures:schedule": Entry("course", CLINICAL, ("GET", "POST"), SCHEDULE_DATA),
}


@pytest.fixture
def practice(db: Any) -> dict[str, Any]:
    call_command("load_instruments", stdout=StringIO())
    users = {role: make_user(f"user-{role}", role) for role in CLIENT_READERS | {Role.PRESCRIBER}}
    therapist = users[Role.THERAPIST]
    other_therapist = make_user("user-therapist2", Role.THERAPIST)
    client = make_client(assigned_therapist=therapist)
    theirs = make_client(first_name="Henrietta", assigned_therapist=other_therapist)
    return {
        "users": users,
        "other_therapist": other_therapist,
        "client": client,
        "course": make_course(client, therapist),
        "their_client": theirs,
        "their_course": make_course(theirs, other_therapist),
    }


def _url(name: str, practice: dict[str, Any], obj: str | None = None) -> str:
    entry = MATRIX[name]
    args: list[Any] = [practice[obj or entry.obj].pk]
    if entry.code:
        args.append("phq9")
    return reverse(name, args=args)


def _client_for(role: str, practice: dict[str, Any]) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(practice["users"][role])
    return client


def _call(client: Client, method: str, url: str, data: dict[str, Any]) -> Any:
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, data)
    return client.generic(method, url)


CASES = [(name, method) for name, entry in MATRIX.items() for method in entry.methods]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method"), CASES)
def test_access(name: str, method: str, role: str, practice: dict[str, Any]) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)
    client = _client_for(role, practice)

    response = _call(client, method, url, entry.data)

    assert_role_outcome(response, role=role, allowed=entry.allowed, method=method, url=url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_wrong_method_is_refused(name: str, role: str, practice: dict[str, Any]) -> None:
    entry = MATRIX[name]
    wrong = "POST" if entry.methods == ("GET",) else "PUT"

    response = _call(_client_for(role, practice), wrong, _url(name, practice), entry.data)

    assert response.status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_nothing_is_written_without_access(role: str, practice: dict[str, Any]) -> None:
    client = _client_for(role, practice)
    for name, entry in MATRIX.items():
        if "POST" in entry.methods:
            client.post(_url(name, practice), entry.data)

    allowed_send = role in CLIENT_READERS
    assert MeasureLink.objects.filter(reason="manual").exists() == allowed_send
    assert Response.objects.exists() == allowed_send
    assert MeasureSchedule.objects.exists() == (role in CLINICAL)


# --- Someone else's object: 404, exactly like one that does not exist --------

OTHERS = [
    (name, method, "their_course" if entry.obj == "course" else "their_client")
    for name, method in CASES
    for entry in [MATRIX[name]]
]


@pytest.mark.parametrize(("name", "method", "obj"), OTHERS)
def test_another_therapists_client_is_not_found(
    name: str, method: str, obj: str, practice: dict[str, Any]
) -> None:
    client = _client_for(Role.THERAPIST, practice)

    response = _call(client, method, _url(name, practice, obj), MATRIX[name].data)

    assert response.status_code == 404
    assert "Henrietta" not in response.content.decode()
    assert not MeasureLink.objects.exists()
    assert not Response.objects.exists()
    assert not MeasureSchedule.objects.exists()


@pytest.mark.parametrize(("name", "method", "obj"), OTHERS)
def test_the_owning_therapist_reaches_them(
    name: str, method: str, obj: str, practice: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(practice["other_therapist"])

    response = _call(client, method, _url(name, practice, obj), MATRIX[name].data)

    assert response.status_code == (200 if method == "GET" else 302)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_a_missing_object_is_not_found(name: str, practice: dict[str, Any]) -> None:
    entry = MATRIX[name]
    args: list[Any] = [999_999] + (["phq9"] if entry.code else [])

    response = _client_for(Role.ADMIN, practice).get(reverse(name, args=args))

    assert response.status_code == 404
