"""Who may reach which consents URL: every staff view × every role.

Anonymous → 302 to the sign-in page; a role without access → 403; an allowed
role → 200 for a GET view, 302 for a POST action; the wrong method → 405.
Someone else's client → 404. The public signing page (/consent/<token>/) is
not a staff URL: test_sign.py covers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from consents.models import ConsentKind, ConsentRequest, ConsentRevocation
from consents.tests.factories import make_consent_request
from pathways.testing import (
    assert_role_outcome,
    make_client,
    make_document,
    make_signed_consent,
    make_user,
)

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER]

CLINICAL = {Role.ADMIN, Role.THERAPIST}
CLIENT_READERS = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}


@dataclass(frozen=True)
class Entry:
    method: str
    allowed: set[str]
    obj: str | None = None  # which fixture object the URL points at
    data: dict[str, Any] = field(default_factory=dict)
    wrong_method: str = ""  # defaults to the other of GET/POST


MATRIX: dict[str, Entry] = {
    # GET shows the form; its POST is checked in test_send_post_access below.
    "consents:send": Entry("GET", CLINICAL, "client", wrong_method="PUT"),
    "consents:detail": Entry("GET", CLIENT_READERS, "signed"),
    "consents:revoke": Entry("POST", CLINICAL, "signed", {"reason": "Withdrawn in writing."}),
    "consents:cancel": Entry("POST", CLINICAL, "consent_request"),
}


@pytest.fixture
def practice(db: Any) -> dict[str, Any]:
    users = {role: make_user(f"user-{role}", role) for role in CLIENT_READERS | {Role.PRESCRIBER}}
    therapist = users[Role.THERAPIST]
    other_therapist = make_user("user-therapist2", Role.THERAPIST)
    make_document(ConsentKind.KAP)
    # Every object is one the therapist may see: their client's.
    client = make_client(assigned_therapist=therapist)
    theirs = make_client(first_name="Henrietta", assigned_therapist=other_therapist)
    return {
        "users": users,
        "other_therapist": other_therapist,
        "client": client,
        "signed": make_signed_consent(client),
        "consent_request": make_consent_request(client, therapist)[0],
        "their_client": theirs,
        "their_signed": make_signed_consent(theirs),
        "their_request": make_consent_request(theirs, other_therapist)[0],
    }


def _url(name: str, practice: dict[str, Any], obj: str | None = None) -> str:
    entry = MATRIX[name]
    key = obj or entry.obj
    args = [practice[key].pk] if key else []
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


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name: str, role: str, practice: dict[str, Any]) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)
    client = _client_for(role, practice)

    response = _call(client, entry.method, url, entry.data)

    assert_role_outcome(response, role=role, allowed=entry.allowed, method=entry.method, url=url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_wrong_method_is_refused(name: str, role: str, practice: dict[str, Any]) -> None:
    entry = MATRIX[name]
    url = _url(name, practice)
    client = _client_for(role, practice)
    wrong = entry.wrong_method or ("POST" if entry.method == "GET" else "GET")

    response = _call(client, wrong, url, entry.data)

    assert response.status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_send_post_access(role: str, practice: dict[str, Any]) -> None:
    url = _url("consents:send", practice)
    client = _client_for(role, practice)

    response = client.post(url, {"kind": ConsentKind.KAP})

    sent = ConsentRequest.objects.filter(client=practice["client"]).count() - 1
    if role == ANONYMOUS:
        assert response.status_code == 302
        assert response["Location"] == f"/staff/sign-in/?next={url}"
        assert sent == 0
    elif role in CLINICAL:
        # The client has an e-mail address: back to the client page.
        assert response.status_code == 302
        assert response["Location"] == f"/staff/clients/{practice['client'].pk}/"
        assert sent == 1
    else:
        assert response.status_code == 403
        assert sent == 0


# --- Someone else's object: 404, exactly like one that does not exist --------

OTHERS = [
    ("consents:send", "GET", "their_client", {}),
    ("consents:send", "POST", "their_client", {"kind": ConsentKind.KAP}),
    ("consents:detail", "GET", "their_signed", {}),
    ("consents:revoke", "POST", "their_signed", {"reason": "Sneaky."}),
    ("consents:cancel", "POST", "their_request", {}),
]


@pytest.mark.parametrize(("name", "method", "obj", "data"), OTHERS)
def test_another_therapists_client_is_not_found(
    name: str, method: str, obj: str, data: dict[str, Any], practice: dict[str, Any]
) -> None:
    client = _client_for(Role.THERAPIST, practice)

    response = _call(client, method, _url(name, practice, obj), data)

    assert response.status_code == 404
    assert "Henrietta" not in response.content.decode()
    assert ConsentRequest.objects.filter(client=practice["their_client"]).count() == 1
    assert ConsentRequest.objects.get(pk=practice["their_request"].pk).cancelled_at is None
    assert not ConsentRevocation.objects.exists()


@pytest.mark.parametrize(("name", "method", "obj", "data"), OTHERS)
def test_the_owning_therapist_reaches_them(
    name: str, method: str, obj: str, data: dict[str, Any], practice: dict[str, Any]
) -> None:
    # The 404 above is about ownership, not a broken URL: the owner gets through.
    client = Client()
    client.force_login(practice["other_therapist"])

    response = _call(client, method, _url(name, practice, obj), data)

    assert response.status_code == (200 if method == "GET" else 302)


@pytest.mark.parametrize(("name", "method", "obj", "data"), OTHERS)
def test_a_prescriber_is_refused_by_role(
    name: str, method: str, obj: str, data: dict[str, Any], practice: dict[str, Any]
) -> None:
    client = _client_for(Role.PRESCRIBER, practice)

    response = _call(client, method, _url(name, practice, obj), data)

    assert response.status_code == 403


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_a_missing_object_is_not_found(name: str, practice: dict[str, Any]) -> None:
    entry = MATRIX[name]
    client = _client_for(Role.ADMIN, practice)
    url = reverse(name, args=[999999])

    response = _call(client, entry.method, url, entry.data)

    assert response.status_code == 404
