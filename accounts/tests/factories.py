"""Test factories for accounts: users of every role, with one known password (PASSWORD).
Tests import them from pathways.testing."""

from __future__ import annotations

from typing import Any

from accounts.models import User

PASSWORD = "correct horse battery staple"


def make_user(username: str, role: str, **extra: Any) -> User:
    user = User(username=username, role=role, email=f"{username}@pathways.example", **extra)
    user.set_password(PASSWORD)
    user.save()
    return user
