"""Test support at the size of a practice group (issue 14 §4): the bulk practice of
`seed_demo --clients N` built inside a transaction that is rolled back, a browser
signed in as a real staff user is (password and authenticator code), and the SQL a
request sends."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import Authenticator, User
from pathways.testing.cases import reauthenticate


class _RolledBack(Exception):
    pass


@contextmanager
def bulk_practice(clients: int, seed: int = 14) -> Iterator[None]:
    """The practice group of `seed_demo --clients` (it needs an empty database), for the
    block; everything it wrote is rolled back afterwards, so the database is empty
    again for the next size or the next test (a rollback is quicker than a flush of
    the audit trail, and needs no leave from its triggers)."""
    try:
        with transaction.atomic():
            call_command("seed_demo", clients=clients, seed=seed, stdout=io.StringIO())
            yield
            raise _RolledBack
    except _RolledBack:
        pass


def verified_browser(user: User, *, reauth: bool = False) -> DjangoClient:
    """A test client signed in as `user` the way staff are in production: with a
    confirmed authenticator whose code was given in this session (REQUIRE_2FA), so
    that django-otp's middleware loads the device on each request as it does there.
    `reauth`: the password and the code were typed again just now (accounts.reauth),
    for a page behind @reauth_required."""
    device = Authenticator.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = Authenticator.objects.create(user=user, name="Authenticator app", confirmed=True)
    browser = DjangoClient()
    browser.force_login(user)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    if reauth:
        reauthenticate(browser)
    return browser


@dataclass
class Sent:
    """What one request answered, and the SQL it sent."""

    status: int
    statements: list[str] = field(default_factory=list, repr=False)

    @property
    def count(self) -> int:
        return len(self.statements)


def send(browser: DjangoClient, method: str, path: str, data: dict[str, Any] | None) -> Sent:
    """Send one request and capture its SQL (CaptureQueriesContext)."""
    with CaptureQueriesContext(connection) as captured:
        response = getattr(browser, method)(path, data or {})
    return Sent(response.status_code, [query["sql"] for query in captured.captured_queries])
