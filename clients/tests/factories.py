"""Test factories for clients: a client record.
Tests import them from pathways.testing."""

from __future__ import annotations

from typing import Any

from clients.models import Client


def make_client(**extra: Any) -> Client:
    data: dict[str, Any] = {"first_name": "Bob", "last_name": "Client", "email": "bob@example.com"}
    data.update(extra)
    return Client.objects.create(**data)
