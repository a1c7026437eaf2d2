"""Who may reach which dosing URL: every view × every role.

Anonymous → 302 to the sign-in page; a role without access → 403; an allowed
role → 200 for a GET, 302 for a POST; a method the view does not take → 405.
The staff record is for CLINICAL_ROLES (the therapist, the practice admin); the
portal summary is for prescribers. The coverage test in
accounts/tests/test_permission_matrix.py gathers this MATRIX.
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
from dosing.models import (
    Addendum,
    Administration,
    AdverseEvent,
    Discharge,
    DosingRecord,
    PrescriberContact,
    SessionNote,
    VitalSigns,
)
from dosing.portal_urls import urlpatterns as portal_urlpatterns
from dosing.tests.support import IN_RANGE, ago, local, post_data
from dosing.urls import urlpatterns
from pathways.testing import (
    assert_role_outcome,
    make_client,
    make_course,
    make_partner,
    make_prescriber,
    make_prescription,
    make_referral,
    make_session,
    make_user,
)
from treatment.models import SessionKind, SessionStatus

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER]
EVERY_STAFF_ROLE = {Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER}
CLINICAL_ROLES = {Role.ADMIN, Role.THERAPIST}
PARTNER_ROLES = {Role.PRESCRIBER}

Fixture = dict[str, Any]


@dataclass(frozen=True)
class Entry:
    methods: tuple[str, ...]
    allowed: set[str]
    obj: str  # the fixture object whose id the URL takes
    data: Callable[[Fixture], dict[str, Any]] = field(default=lambda practice: {})


def _given(practice: Fixture) -> dict[str, Any]:
    users = practice["users"]
    return {
        "dose_mg": "100",
        "given_at": local(ago(2)),
        "given_by": users[Role.THERAPIST].pk,
        "witnessed_by": users[Role.ADMIN].pk,
    }


MATRIX: dict[str, Entry] = {
    # The gate is closed for this session: an allowed open is refused with a message.
    "dosing:open": Entry(("POST",), CLINICAL_ROLES, "session"),
    "dosing:record": Entry(("GET",), CLINICAL_ROLES, "record"),
    "dosing:predose": Entry(
        ("POST",),
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data(
            "predose",
            fasting_hours="4",
            fasting_liquids_hours="2",
            hold_0="held",
            escort_name="Sam Rivera",
            escort_phone="(555) 010-0150",
            intention="Rest.",
        ),
    ),
    "dosing:vitals": Entry(
        ("POST",),
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data("vitals", phase="baseline", taken_at=local(ago(2)), **IN_RANGE),
    ),
    "dosing:risk_check": Entry(
        ("POST",),
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data("risk", method="cssrs", outcome="no_risk", note=""),
    ),
    # Refused by the service (the vitals are not out of range): a redirect with a message.
    "dosing:contact": Entry(
        ("POST",),
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data(
            "contact",
            topic="vitals",
            contacted_at=local(ago(1)),
            prescriber_name="Dr Rao",
            instruction="Proceed.",
            proceed="yes",
        ),
    ),
    # Refused by the service (no clearance yet): a redirect with a message.
    "dosing:dose": Entry(
        ("POST",), CLINICAL_ROLES, "record", lambda practice: post_data("dose", **_given(practice))
    ),
    "dosing:booster": Entry(
        ("POST",),
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data("booster", **_given(practice)),
    ),
    "dosing:adverse_event": Entry(
        ("POST",),
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data(
            "ae",
            type="nausea",
            severity="mild",
            occurred_at=local(ago(1)),
            action_taken="Ondansetron.",
        ),
    ),
    "dosing:discharge": Entry(
        ("POST",),
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data(
            "discharge",
            alert_and_oriented="on",
            walks_steadily="on",
            escort_present="on",
            told_no_driving="on",
            exception_reason="No vitals machine: manual check only.",
            discharged_at=local(ago(1)),
        ),
    ),
    "dosing:note": Entry(
        ("POST",),
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data("note", data="D", assessment="A", plan="P"),
    ),
    "dosing:note_sign": Entry(("POST",), CLINICAL_ROLES, "record"),
    "dosing:addendum": Entry(
        ("POST",), CLINICAL_ROLES, "record", lambda practice: post_data("addendum", text="Later.")
    ),
    "portal_dosing:summary": Entry(("GET",), PARTNER_ROLES, "record"),
}

CASES = [(name, method) for name, entry in sorted(MATRIX.items()) for method in entry.methods]


def _wrong_method(entry: Entry) -> str:
    return next(m for m in ("POST", "GET", "PUT") if m not in entry.methods)


@pytest.fixture
def practice(db: Any) -> Fixture:
    partner = make_partner()
    users = {
        role: make_prescriber(f"user-{role}", partner)
        if role == Role.PRESCRIBER
        else make_user(f"user-{role}", role)
        for role in EVERY_STAFF_ROLE
    }
    therapist = users[Role.THERAPIST]
    # Every object is one the therapist may see (their client's) and the
    # prescriber may see (a referral to their partner).
    client = make_client(assigned_therapist=therapist)
    referral = make_referral(client, partner, therapist, status="eligible")
    rx = make_prescription(referral, users[Role.PRESCRIBER])
    course = make_course(client, therapist)
    started = make_session(
        course,
        SessionKind.DOSING,
        status=SessionStatus.IN_PROGRESS,
        started_at=timezone.now(),
        started_by=therapist,
        prescription=rx,
    )
    record = DosingRecord.objects.create(session=started, prescription=rx, opened_by=therapist)
    return {
        "users": users,
        "session": make_session(course, SessionKind.DOSING),
        "record": record,
    }


def _url(name: str, practice: Fixture) -> str:
    return reverse(name, args=[practice[MATRIX[name].obj].pk])


def _client_for(role: str, practice: Fixture) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(practice["users"][role])
    return client


def test_the_matrix_names_every_dosing_url() -> None:
    names = {f"dosing:{p.name}" for p in urlpatterns}
    names |= {f"portal_dosing:{p.name}" for p in portal_urlpatterns}
    assert set(MATRIX) == names


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


def _snapshot() -> tuple[Any, ...]:
    models = (
        DosingRecord,
        VitalSigns,
        PrescriberContact,
        Administration,
        AdverseEvent,
        Discharge,
        SessionNote,
        Addendum,
    )
    record_state = list(
        DosingRecord.objects.order_by("id").values_list(
            "id",
            "fasting_hours",
            "fasting_liquids_hours",
            "holds_answers",
            "intention",
            "risk_check_at",
        )
    )
    return (record_state, *(model.objects.count() for model in models))


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
