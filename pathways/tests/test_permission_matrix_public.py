"""Who may reach the public URLs (see pathways.testing.permission_matrix): everyone.

The public site (website/urls.py), its request and contact forms (intake's public
side), the client's consent-signing page (/consent/), the measures answering page
(/measures/) and a clinician's calendar feed (/calendar/) are open to all nine roles:
a secret link is the key, not a session. Each is tried with the fixture's valid
link; a wrong or spent token answers 404/410 with nothing of the client
(test_it_closes_a_wrong_link_with_no_phi below). A public form sent empty comes back
with its errors (posted=200): the matrix is about who reaches it, test_request.py,
test_contact.py, test_sign.py and test_answer.py about what it accepts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client as DjangoClient
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role
from common.tokens import new_token, token_hash
from consents.models import ConsentKind, ConsentRequest, SignedConsent
from intake.models import AppointmentRequest, ContactMessage
from measures.models import MeasureLink, Response
from measures.tests.factories import make_instrument
from pathways.testing import (
    EVERYONE,
    MATRIX_ROLES,
    NOT_FOUND,
    STAFF_ROLES,
    Entry,
    Fixture,
    make_consent_request,
    make_phi_client,
    make_service,
    make_signed_consent,
    make_user,
    permission_matrix,
    phi_sentinels,
)
from pathways.testing.phi import leaked
from scheduling.feed import calendar_feed_create
from scheduling.tests.factories import make_appointment
from scheduling.tests.support import at, future_day

MATRIX: dict[str, Entry] = {
    "website:home": Entry("GET", EVERYONE),
    "website:service": Entry("GET", EVERYONE, "slug"),
    "website:fit": Entry("GET POST", EVERYONE, posted=200),
    "website:request": Entry("GET POST", EVERYONE, posted=200),
    "website:request_received": Entry("GET", EVERYONE),
    "website:contact": Entry("GET POST", EVERYONE, posted=200),
    "website:contact_sent": Entry("GET", EVERYONE),
    "consent_sign:sign": Entry("GET POST", EVERYONE, "consent_token", posted=200),
    "consent_sign:done": Entry("GET", EVERYONE),
    # The signed copy opens only for the browser that signed (its session holds the
    # id for CONSENT_COPY_MINUTES); no role of the matrix has just signed: 404.
    "consent_sign:copy": Entry(
        "GET", EVERYONE, "signed", expect=dict.fromkeys(MATRIX_ROLES, NOT_FOUND)
    ),
    "measure_answer:answer": Entry("GET POST", EVERYONE, "measure_token", posted=200),
    "calendar_feed:feed": Entry("GET", EVERYONE, "feed_token"),
    # The BLS display for the client's screen (issue 12): anonymous and the same page for
    # everyone; it holds no PHI (searched like every page an outsider may open).
    "bls_display:display": Entry("GET", EVERYONE),
}

# The secret-link URLs, by their token's fixture key.
SECRET_LINKS = {
    "consent_sign:sign": "consent_token",
    "measure_answer:answer": "measure_token",
    "calendar_feed:feed": "feed_token",
}


def practice() -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    therapist = users[Role.THERAPIST]
    client = make_phi_client(therapist)
    make_appointment(client, therapist, at(future_day(), "09:00"))
    measure_token = new_token()
    MeasureLink.objects.create(
        client=client,
        instruments=[make_instrument().code],
        token_hash=token_hash(measure_token),
        expires_at=timezone.now() + dt.timedelta(days=7),
        created_by=therapist,
    )
    return {
        "users": users,
        "slug": make_service("kap").slug,
        "consent_token": make_consent_request(client, therapist, ConsentKind.KAP)[1],
        "signed": make_signed_consent(client),
        "measure_token": measure_token,
        "feed_token": calendar_feed_create(actor=Actor.for_user(therapist)),
    }


def snapshot() -> Any:
    # An empty form writes nothing: no request, message, signature or answer.
    return (
        AppointmentRequest.objects.count(),
        ContactMessage.objects.count(),
        SignedConsent.objects.count(),
        list(ConsentRequest.objects.values_list("id", "used_at")),
        list(MeasureLink.objects.values_list("id", "used_at")),
        Response.objects.count(),
    )


class TestPublicMatrix(permission_matrix(MATRIX, practice, snapshot)):  # type: ignore[misc]  # a class built at run time
    def test_it_closes_a_wrong_link_with_no_phi(self) -> None:
        # A guessed token, and the right one with a character changed: 404, and
        # nothing of the client the real link is for.
        phi = phi_sentinels()
        for name, key in SECRET_LINKS.items():
            real = str(self.practice[key])
            for token in ("A" * 43, real[:-1] + ("B" if real[-1] != "B" else "C")):
                with self.subTest(name=name, token=token):
                    response = DjangoClient().get(self.url(name, {key: token}))

                    self.assertEqual(response.status_code, 404)
                    self.assertEqual(leaked(response, phi), [])
