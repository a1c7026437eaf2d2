"""Secret-link tokens: the one way a token is made and the one way it is stored.

Only the SHA-256 of a token is kept (a database read must not yield a usable
link); the token itself goes out once, in the e-mail or on the page that shows it.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A URL-safe token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
