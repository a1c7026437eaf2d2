"""Who may reach which referral URL: every view of partners/urls.py and
partners/portal_urls.py × every role.

Anonymous → 302 to the sign-in page; a role without access → 403; an allowed
role → 200 for a GET, 302 for a POST. Each view refuses any other HTTP method
with 405. accounts/tests/test_permission_matrix.py imports MATRIX and fails when
a URL of these apps is missing from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from consents.models import ConsentKind
from partners.models import Referral, ReferralStatus
from partners.tests.helpers import in_a_week, local_input, referral_form
from pathways.testing import (
    assert_role_outcome,
    make_client,
    make_partner,
    make_prescriber,
    make_referral,
    make_signed_consent,
    make_user,
)

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER]
METHODS = ["GET", "POST", "PUT", "DELETE"]

CLIENT_ROLES = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
CLINICAL = {Role.ADMIN, Role.THERAPIST}
PARTNER = {Role.PRESCRIBER}


@dataclass(frozen=True)
class Entry:
    methods: tuple[str, ...]
    allowed: set[str]
    obj: str  # which fixture object the URL points at
    data: dict[str, Any] = field(default_factory=dict)


MATRIX: dict[str, Entry] = {
    "partners:new": Entry(("GET", "POST"), CLINICAL, "new_client", {"form": "referral"}),
    "partners:referral": Entry(("GET",), CLIENT_ROLES, "needs_info"),
    "partners:answer": Entry(("POST",), CLINICAL, "needs_info", {"answer-text": "Yes."}),
    "partners:close": Entry(("POST",), CLINICAL, "needs_info", {"close-text": ""}),
    "portal:home": Entry(("GET",), PARTNER, ""),
    "portal:referral": Entry(("GET",), PARTNER, "scheduled"),
    "portal:schedule": Entry(
        ("POST",), PARTNER, "scheduled", {"schedule-evaluation_at": local_input(in_a_week())}
    ),
    "portal:evaluate": Entry(("POST",), PARTNER, "scheduled", {"evaluate-result": "eligible"}),
    "portal:close": Entry(("POST",), PARTNER, "scheduled", {"close-text": ""}),
}


@pytest.fixture
def practice(db: Any) -> dict[str, Any]:
    partner = make_partner()
    users = {
        role: make_prescriber(f"user-{role}", partner)
        if role == Role.PRESCRIBER
        else make_user(f"user-{role}", role)
        for role in (Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER)
    }
    therapist = users[Role.THERAPIST]
    # Every object is one each allowed role may see: the therapist's client, referred
    # to the prescriber's organisation, in a status where the step is allowed.
    client = make_client(assigned_therapist=therapist)
    # A client with a release to the partner and no referral yet, to refer.
    new_client = make_client(assigned_therapist=therapist)
    make_signed_consent(new_client, ConsentKind.ROI, partner)
    return {
        "users": users,
        "partner": partner,
        "new_client": new_client,
        "needs_info": make_referral(client, partner, therapist, status=ReferralStatus.NEEDS_INFO),
        "scheduled": make_referral(client, partner, therapist, status=ReferralStatus.SCHEDULED),
    }


def _url(name: str, practice: dict[str, Any]) -> str:
    entry = MATRIX[name]
    return reverse(name, args=[practice[entry.obj].pk] if entry.obj else [])


def _data(name: str, practice: dict[str, Any]) -> dict[str, Any]:
    data = MATRIX[name].data
    return referral_form(practice["partner"].pk) if data.get("form") == "referral" else data


def _client_for(role: str, practice: dict[str, Any]) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(practice["users"][role])
    return client


def _cases() -> list[tuple[str, str]]:
    return [(name, method) for name in sorted(MATRIX) for method in MATRIX[name].methods]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method"), _cases())
def test_access(name: str, method: str, role: str, practice: dict[str, Any]) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)
    client = _client_for(role, practice)
    referrals_before = Referral.objects.count()

    response = client.get(url) if method == "GET" else client.post(url, _data(name, practice))

    assert_role_outcome(response, role=role, allowed=entry.allowed, method=method, url=url)
    if name == "partners:new" and method == "POST":
        # Only an allowed POST sends a referral.
        sent = role in entry.allowed
        assert Referral.objects.count() == referrals_before + sent


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_wrong_method_is_refused(name: str, role: str, practice: dict[str, Any]) -> None:
    url = _url(name, practice)
    client = _client_for(role, practice)

    for method in sorted(set(METHODS) - set(MATRIX[name].methods)):
        response = client.generic(method, url)

        assert response.status_code == 405, method


def test_the_matrix_is_every_url_of_the_two_apps() -> None:
    from partners import portal_urls, urls

    names = {f"partners:{p.name}" for p in urls.urlpatterns} | {
        f"portal:{p.name}" for p in portal_urls.urlpatterns
    }

    assert set(MATRIX) == names


@pytest.mark.django_db
def test_a_user_without_a_role_is_refused_everywhere(practice: dict[str, Any]) -> None:
    nobody = make_user("nobody", "")
    client = Client()
    client.force_login(nobody)
    for name, entry in MATRIX.items():
        url = _url(name, practice)
        for method in entry.methods:
            response = (
                client.get(url) if method == "GET" else client.post(url, _data(name, practice))
            )
            assert response.status_code == 403, (name, method)


@pytest.mark.django_db
def test_an_inactive_prescriber_is_refused_everywhere(practice: dict[str, Any]) -> None:
    prescriber = practice["users"][Role.PRESCRIBER]
    client = _client_for(Role.PRESCRIBER, practice)
    prescriber.is_active = False
    prescriber.save()
    for name in MATRIX:
        if name.startswith("portal:"):
            url = _url(name, practice)
            response = (
                client.get(url)
                if MATRIX[name].methods == ("GET",)
                else client.post(url, _data(name, practice))
            )
            # An inactive user's session no longer authenticates: back to sign-in.
            assert response.status_code in (302, 403), name
            if response.status_code == 302:
                assert response["Location"].startswith("/staff/sign-in/")
    referral = Referral.objects.get(pk=practice["scheduled"].pk)
    assert referral.status == ReferralStatus.SCHEDULED
