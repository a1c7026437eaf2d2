"""Signing a user in outside the sign-in form still audits who it was.

`django.contrib.auth.login()` sets `request.user` only when the request already
has that attribute, so a login made outside the middleware stack (the test
client's `force_login`, a script) reaches the `user_logged_in` receiver with a
bare request. The receiver must take the actor from the signal, not the request.
"""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest
from django.test import Client

from audit.models import AuditEvent
from pathways.testing import BaseTestCase


class ForceLoginTestCase(BaseTestCase):
    def test_it_signs_in_with_the_test_client(self) -> None:
        client = Client()
        client.force_login(self.intake)

        assert client.get("/staff/").status_code == 200
        event = AuditEvent.objects.get(action="auth.login")
        assert event.actor == self.intake

    def test_it_audits_a_login_made_outside_the_middleware(self) -> None:
        request = HttpRequest()
        request.session = SessionStore()

        login(request, self.intake, "accounts.backends.ModelBackend")

        event = AuditEvent.objects.get(action="auth.login")
        assert event.actor == self.intake
        assert event.actor_username == "intake"
        assert event.ip is None
