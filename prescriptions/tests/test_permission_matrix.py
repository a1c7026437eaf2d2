"""Who may reach which prescription URL: every view × every role.

Anonymous → 302 to the sign-in page; a role without access → 403; an allowed
role → 200 for a GET, 302 for a successful POST. Any other method → 405.
accounts/tests/test_permission_matrix.py checks that MATRIX names exactly the
URLs of prescriptions/urls.py and prescriptions/portal_urls.py (so does
test_the_matrix_covers_every_prescription_url below).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from accounts.models import Role
from partners.models import ReferralStatus
from pathways.testing import (
    assert_role_outcome,
    make_client,
    make_partner,
    make_prescriber,
    make_prescription,
    make_referral,
    make_user,
)
from prescriptions import portal_urls, urls

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER]
PRACTICE = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
PRESCRIBERS = {Role.PRESCRIBER}


def _rx_form(**changes: str) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "modality": "both",
        "route": "sublingual",
        "dose_mg": "100",
        "sessions_authorised": "6",
        "valid_from": (today - dt.timedelta(days=1)).isoformat(),
        "valid_to": (today + dt.timedelta(days=90)).isoformat(),
        "fasting_solids_hours": "4",
        "fasting_liquids_hours": "2",
        "hold_0_medication": "Benzodiazepines",
        "hold_0_hours": "24",
        "holds_instructions": "No benzodiazepines for 24 hours before.",
        "fasting_instructions": "No food for 4 hours before.",
        "min_systolic": "90",
        "max_systolic": "140",
        "min_diastolic": "50",
        "max_diastolic": "90",
        "hr_min": "50",
        "hr_max": "110",
        "spo2_min": "94",
        "spo2_max": "100",
    }
    data.update(changes)
    return data


@dataclass(frozen=True)
class Entry:
    methods: tuple[str, ...]
    allowed: set[str]
    obj: str  # which fixture object the URL points at
    data: dict[str, Any] = field(default_factory=dict)


MATRIX: dict[str, Entry] = {
    "prescriptions:detail": Entry(("GET",), PRACTICE, "rx"),
    "portal_rx:new": Entry(("GET", "POST"), PRESCRIBERS, "referral", _rx_form()),
    "portal_rx:detail": Entry(("GET",), PRESCRIBERS, "rx"),
    "portal_rx:revise": Entry(("GET", "POST"), PRESCRIBERS, "rx", _rx_form(dose_mg="150")),
    "portal_rx:discontinue": Entry(("POST",), PRESCRIBERS, "rx", {"reason": "Stopped."}),
}
CASES = [(name, method) for name in sorted(MATRIX) for method in MATRIX[name].methods]


@pytest.fixture
def practice(db: Any) -> dict[str, Any]:
    partner = make_partner()
    users = {role: make_user(f"user-{role}", role) for role in PRACTICE}
    users[Role.PRESCRIBER] = make_prescriber("user-prescriber", partner)
    therapist = users[Role.THERAPIST]
    # Every object is one each allowed user may see: the therapist's clients,
    # referred to the prescriber's partner and evaluated eligible.
    treated = make_client(assigned_therapist=therapist)
    treated_referral = make_referral(treated, partner, therapist, status=ReferralStatus.ELIGIBLE)
    waiting = make_client(first_name="Wren", assigned_therapist=therapist)
    return {
        "users": users,
        "rx": make_prescription(treated_referral, users[Role.PRESCRIBER]),
        "referral": make_referral(waiting, partner, therapist, status=ReferralStatus.ELIGIBLE),
    }


def _url(name: str, practice: dict[str, Any]) -> str:
    return reverse(name, args=[practice[MATRIX[name].obj].pk])


def _client_for(role: str, practice: dict[str, Any]) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(practice["users"][role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method"), CASES)
def test_access(name: str, method: str, role: str, practice: dict[str, Any]) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)
    client = _client_for(role, practice)

    response = client.get(url) if method == "GET" else client.post(url, entry.data)

    assert_role_outcome(response, role=role, allowed=entry.allowed, method=method, url=url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_wrong_method_is_refused(name: str, role: str, practice: dict[str, Any]) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)
    client = _client_for(role, practice)
    wrong = {("GET",): "post", ("POST",): "get"}.get(entry.methods, "put")

    response = getattr(client, wrong)(url, entry.data if wrong == "post" else None)

    assert response.status_code == 405


@pytest.mark.django_db
def test_a_user_without_a_role_is_refused_everywhere(practice: dict[str, Any]) -> None:
    nobody = make_user("nobody", "")
    client = Client()
    client.force_login(nobody)
    for name, method in CASES:
        url = _url(name, practice)
        data = MATRIX[name].data
        response = client.get(url) if method == "GET" else client.post(url, data)
        assert response.status_code == 403, (name, method)


def test_the_matrix_covers_every_prescription_url() -> None:
    names = {
        f"{module.app_name}:{pattern.name}"
        for module in (urls, portal_urls)
        for pattern in module.urlpatterns
        if isinstance(pattern, URLPattern)
    }

    assert names == set(MATRIX)
