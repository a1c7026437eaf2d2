"""The CSRF token a page's forms carry: Django's masked token, masked with less work.

Django masks the secret afresh for each response (BREACH), drawing the mask with 32
calls of `secrets.choice`: some 4,200 bytecodes on every page with a form (the staff
navigation's sign-out button is one), and most of what the Appointment Request form
costs beyond a bare view (issue 14, whose bar for it is 1.5× that view). This draws the
same mask, 32 characters each uniform over Django's 62 (from the operating system's
random bytes: a byte below 248 = 4 × 62 taken modulo 62, the others drawn again), and
writes the token as Django's `_mask_cipher_secret` writes it, so that Django's middleware
unmasks and checks it as its own. With no secret yet (a first visit), or one not of
Django's form, Django's own `get_token` answers: it makes and keeps the secret.
common/tests/test_csrf.py checks the tokens against Django's unmasking, the side
effects against Django's, the mask's spread, and a form posted with the token.

Part of the shared library (issue 9): it imports no app.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.middleware.csrf import get_token as django_get_token
from django.utils.functional import SimpleLazyObject

_CHARS = CSRF_ALLOWED_CHARS
_SIZE = len(_CHARS)
_INDEX = {c: i for i, c in enumerate(_CHARS)}
_VALID = frozenset(_CHARS)
_BELOW = 256 - 256 % _SIZE  # the bytes kept: each residue modulo 62 four times


def _mask() -> list[int]:
    """CSRF_SECRET_LENGTH indexes into the 62 characters, each uniform, independent."""
    drawn: list[int] = []
    while len(drawn) < CSRF_SECRET_LENGTH:
        drawn += [b % _SIZE for b in secrets.token_bytes(CSRF_SECRET_LENGTH + 8) if b < _BELOW]
    return drawn[:CSRF_SECRET_LENGTH]


def masked(secret: str) -> str:
    """`django.middleware.csrf._mask_cipher_secret(secret)`: a new mask, then the secret
    with each character moved on by its mask's character."""
    mask = _mask()
    cipher = [_CHARS[(_INDEX[c] + m) % _SIZE] for c, m in zip(secret, mask, strict=True)]
    return "".join([_CHARS[m] for m in mask]) + "".join(cipher)


def get_token(request: HttpRequest) -> str:
    """`django.middleware.csrf.get_token(request)`: the token for this response's forms."""
    secret = request.META.get("CSRF_COOKIE")
    if (
        not isinstance(secret, str)
        or len(secret) != CSRF_SECRET_LENGTH
        or not _VALID.issuperset(secret)
    ):
        return str(django_get_token(request))
    # As Django: the cookie is sent again with the response, to renew its expiry.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return masked(secret)


def csrf(request: HttpRequest) -> dict[str, Any]:
    """The `csrf_token` of every template's context (settings.TEMPLATES), in place of
    Django's built-in processor's (a later processor's key wins): lazy, as Django's."""
    return {"csrf_token": SimpleLazyObject(lambda: get_token(request))}
