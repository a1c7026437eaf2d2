"""Who may reach which scheduling URL: every view × every role.

Anonymous → 302 to the sign-in page; a role without access → 403; an allowed
role → 200 for a GET, 302 for a POST. A view answering GET and POST is tried with
both; a method the view does not take gets 405. Calendars, booking, moving,
cancelling and the status workflow are for admin, intake and therapist (a
therapist within scheduling/access.py's scope); the calendar feed page is for
therapists (clinicians). The token-authenticated feed itself (/calendar/) is not
here: test_feed.py covers it. The coverage test in
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
from pathways.testing import assert_role_outcome, make_client, make_user
from scheduling.models import Appointment, CalendarFeed
from scheduling.tests.support import at, future_day, make_appointment, make_room
from scheduling.urls import urlpatterns

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER]
EVERY_STAFF_ROLE = {Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER}
SCHEDULE = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
CLINICIANS = {Role.THERAPIST}

Fixture = dict[str, Any]


@dataclass(frozen=True)
class Entry:
    methods: tuple[str, ...]
    allowed: set[str]
    obj: str | None = None  # the fixture object whose id the URL takes
    data: Callable[[Fixture], dict[str, Any]] = field(default=lambda practice: {})


def _booking(practice: Fixture) -> dict[str, Any]:
    return {
        "client": practice["client"].pk,
        "clinician": practice["users"][Role.THERAPIST].pk,
        "room": practice["room"].pk,
        "type": "intake",
        "date": practice["day"].isoformat(),
        "start": "15:00",
        "duration": "",
        "session": "",
    }


def _move(practice: Fixture) -> dict[str, Any]:
    return {
        "move-date": practice["day"].isoformat(),
        "move-start": "11:00",
        "move-duration": 50,
        "move-clinician": practice["users"][Role.THERAPIST].pk,
        "move-room": practice["room"].pk,
    }


MATRIX: dict[str, Entry] = {
    "scheduling:calendar": Entry(("GET",), SCHEDULE),
    "scheduling:new": Entry(("GET", "POST"), SCHEDULE, None, _booking),
    "scheduling:appointment": Entry(("GET",), SCHEDULE, "appointment"),
    "scheduling:move": Entry(("POST",), SCHEDULE, "appointment", _move),
    "scheduling:cancel": Entry(
        ("POST",), SCHEDULE, "appointment", lambda practice: {"cancel-reason": "Unwell"}
    ),
    "scheduling:status": Entry(
        ("POST",), SCHEDULE, "appointment", lambda practice: {"status": "arrived"}
    ),
    "scheduling:feed": Entry(("GET",), CLINICIANS),
    "scheduling:feed_create": Entry(("POST",), CLINICIANS),
    "scheduling:feed_revoke": Entry(("POST",), CLINICIANS),
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
    day = future_day()
    return {
        "users": users,
        "client": client,
        "room": make_room(),
        "day": day,
        "appointment": make_appointment(client, therapist, at(day, "09:00")),
    }


def _url(name: str, practice: Fixture) -> str:
    obj = MATRIX[name].obj
    return reverse(name, args=[practice[obj].pk] if obj else [])


def _client_for(role: str, practice: Fixture) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(practice["users"][role])
    return client


def test_the_matrix_names_every_scheduling_url() -> None:
    assert set(MATRIX) == {f"scheduling:{pattern.name}" for pattern in urlpatterns}


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


def _snapshot() -> tuple[Any, ...]:
    return (
        list(
            Appointment.objects.order_by("id").values_list(
                "id", "status", "starts_at", "room", "cancel_reason"
            )
        ),
        list(CalendarFeed.objects.order_by("id").values_list("id", "revoked_at")),
    )


@pytest.mark.parametrize(("name", "method"), [c for c in CASES if c[1] == "POST"])
def test_a_refused_post_changes_nothing(name: str, method: str, practice: Fixture) -> None:
    entry = MATRIX[name]
    before = _snapshot()

    response = _client_for(Role.PRESCRIBER, practice).post(
        _url(name, practice), entry.data(practice)
    )

    assert response.status_code == 403
    assert _snapshot() == before


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
