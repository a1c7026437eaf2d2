"""The session store (accounts.session_store): a request that only read its session
renews the idle limit without writing back an older copy of the session over what
a concurrent request of the same browser wrote meanwhile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from accounts.session_store import SessionStore
from pathways.testing import BaseTestCase


class SessionStoreTestCase(BaseTestCase):
    def test_it_is_the_configured_store(self) -> None:
        assert settings.SESSION_ENGINE == "accounts.session_store"

    def test_it_keeps_what_a_concurrent_request_wrote(self) -> None:
        first = SessionStore()
        first["role"] = "therapist"
        first.save()
        reader = SessionStore(first.session_key)  # e.g. a picture, loaded first
        assert reader["role"] == "therapist"
        writer = SessionStore(first.session_key)  # a form's POST, at the same time
        writer["flash"] = "Adverse event recorded."
        writer.save()

        reader.save()  # the picture's response: the idle limit is renewed

        assert SessionStore(first.session_key)["flash"] == "Adverse event recorded."

    def test_it_renews_the_idle_limit_when_nothing_changed(self) -> None:
        store = SessionStore()
        store["role"] = "therapist"
        store.save()
        Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
        reader = SessionStore(store.session_key)
        assert reader["role"] == "therapist"

        reader.save()

        left = Session.objects.get().expire_date - timezone.now()
        assert left > timedelta(minutes=settings.SESSION_IDLE_MINUTES - 1)

    def test_it_writes_a_change(self) -> None:
        store = SessionStore()
        store["role"] = "therapist"
        store.save()
        again = SessionStore(store.session_key)
        again["role"] = "admin"
        again.save()

        assert SessionStore(store.session_key)["role"] == "admin"

    def test_it_answers_as_django_does_when_the_session_was_ended_meanwhile(self) -> None:
        store = SessionStore()
        store["role"] = "therapist"
        store.save()
        reader = SessionStore(store.session_key)
        assert reader["role"] == "therapist"
        Session.objects.all().delete()  # signed out in another tab

        with pytest.raises(UpdateError):
            reader.save()

    async def test_it_keeps_a_concurrent_write_when_saved_asynchronously(self) -> None:
        first = SessionStore()
        await first.aset("role", "therapist")
        await first.asave()
        reader = SessionStore(first.session_key)
        assert await reader.aget("role") == "therapist"
        writer = SessionStore(first.session_key)
        await writer.aset("flash", "saved")
        await writer.asave()

        await reader.asave()

        assert await SessionStore(first.session_key).aget("flash") == "saved"


class ConcurrentRequestsTestCase(BaseTestCase):
    """End to end through the session middleware: a page's picture is in flight when
    the therapist submits a form; the form's message must still be shown."""

    def test_it_shows_the_message_of_a_form_sent_while_a_picture_loaded(self) -> None:
        self.client.force_login(self.therapist)
        cookie = settings.SESSION_COOKIE_NAME
        picture = RequestFactory().get("/a-picture/")
        picture.COOKIES[cookie] = self.client.cookies[cookie].value

        def draw_picture(request: HttpRequest) -> HttpResponse:
            # The picture reads the session (its access check) ...
            assert request.session.get("_auth_user_id") == str(self.therapist.pk)
            # ... and, while it is drawn, the form's POST comes and goes.
            posted = self.client.post("/staff/schedule/feed/revoke/")
            assert posted.status_code == 302
            return HttpResponse("<svg/>")

        SessionMiddleware(draw_picture)(picture)

        page = self.client.get("/staff/schedule/feed/")
        assert "There was no calendar feed to revoke." in page.content.decode()
