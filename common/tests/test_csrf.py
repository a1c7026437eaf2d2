"""`common.csrf`: the CSRF token masked with less work is one Django's middleware takes
as its own, with Django's side effects, a fresh and uniform mask each time, and a form
posted with it passes the check."""

from __future__ import annotations

import re
from collections import Counter

from django.middleware import csrf as django_csrf
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.middleware.csrf import get_token as django_get_token
from django.test import Client as DjangoClient
from django.test import RequestFactory, SimpleTestCase
from django.utils.crypto import get_random_string

from common import csrf
from pathways.testing import BaseTestCase, reauthenticate

# Django's own unmasking, as its middleware checks a posted token (not in django-stubs).
_unmask_cipher_token = django_csrf._unmask_cipher_token  # type: ignore[attr-defined]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def request_with(secret: str | None) -> object:
    request = RequestFactory().get("/")
    if secret is not None:
        request.META["CSRF_COOKIE"] = secret
    return request


class MaskedTokenTests(SimpleTestCase):
    def test_it_gives_a_token_django_unmasks_to_the_secret(self) -> None:
        for _ in range(300):
            secret = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
            request = request_with(secret)
            token = csrf.get_token(request)  # type: ignore[arg-type]
            assert len(token) == 2 * CSRF_SECRET_LENGTH
            assert set(token) <= set(CSRF_ALLOWED_CHARS)
            assert _unmask_cipher_token(token) == secret
            # As Django's: the cookie goes out again, its expiry renewed.
            assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True  # type: ignore[attr-defined]

    def test_it_masks_afresh_each_time(self) -> None:
        secret = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
        tokens = {csrf.get_token(request_with(secret)) for _ in range(50)}  # type: ignore[arg-type]
        assert len(tokens) == 50

    def test_each_mask_character_is_spread_over_the_alphabet(self) -> None:
        # 62 characters, 2,000 masks of 32: about 1,032 each. A bias (the bytes 248-255
        # kept, say: 8 characters drawn 5 times in 256 instead of 4) puts some 25% above.
        counts = Counter(c for _ in range(2000) for c in csrf.masked("a" * 32)[:32])
        assert set(counts) == set(CSRF_ALLOWED_CHARS)
        assert max(counts.values()) < 1_200
        assert min(counts.values()) > 870

    def test_it_leaves_a_first_visit_and_a_strange_secret_to_django(self) -> None:
        for secret in (None, "short", "!" * CSRF_SECRET_LENGTH):
            with self.subTest(secret=secret):
                ours, theirs = request_with(secret), request_with(secret)
                if secret is not None and len(secret) == CSRF_SECRET_LENGTH:
                    with self.assertRaises(ValueError):  # Django's own refusal
                        django_get_token(theirs)  # type: ignore[arg-type]
                    with self.assertRaises(ValueError):
                        csrf.get_token(ours)  # type: ignore[arg-type]
                    continue
                token = csrf.get_token(ours)  # type: ignore[arg-type]
                django_get_token(theirs)  # type: ignore[arg-type]
                assert set(ours.META) == set(theirs.META)  # type: ignore[attr-defined]
                made = ours.META["CSRF_COOKIE"]  # type: ignore[attr-defined]
                if secret is None:
                    assert _unmask_cipher_token(token) == made


class PostedTokenTests(BaseTestCase):
    def test_a_staff_page_s_token_passes_django_s_check(self) -> None:
        client = DjangoClient(enforce_csrf_checks=True)
        client.force_login(self.intake)
        reauthenticate(client)
        page = client.get("/staff/clients/")
        token = TOKEN.search(page.content.decode())
        assert token is not None
        refused = client.post("/staff/sign-out/", {"csrfmiddlewaretoken": "x" * 64})
        assert refused.status_code == 403
        signed_out = client.post("/staff/sign-out/", {"csrfmiddlewaretoken": token.group(1)})
        assert signed_out.status_code == 302

    def test_the_request_form_s_token_passes_django_s_check(self) -> None:
        client = DjangoClient(enforce_csrf_checks=True)
        client.get("/request-an-appointment/")  # the first visit: Django makes the secret
        page = client.get("/request-an-appointment/")  # then ours masks it
        token = TOKEN.search(page.content.decode())
        assert token is not None
        answer = client.post("/request-an-appointment/", {"csrfmiddlewaretoken": token.group(1)})
        assert answer.status_code != 403  # the form's own checks answer, not CSRF's
