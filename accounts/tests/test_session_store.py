"""The session store (accounts.session_store): a request that only read its session
renews the idle limit without writing back an older copy of the session over what
a concurrent request of the same browser wrote meanwhile."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.session_store import SessionStore, screen_idle_seconds
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
        Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
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


def stored_expiry() -> dt.datetime:
    return Session.objects.get().expire_date


class RenewalWindowTestCase(BaseTestCase):
    """A request that changed nothing writes the idle limit only when the stored one is
    more than SESSION_RENEW_SECONDS older than a renewal would make it (issue 14)."""

    def read_back(self, expire_in: timedelta) -> SessionStore:
        store = SessionStore()
        store["role"] = "therapist"
        store.save()
        Session.objects.update(expire_date=timezone.now() + expire_in)
        reader = SessionStore(store.session_key)
        assert reader["role"] == "therapist"
        return reader

    @override_settings(SESSION_RENEW_SECONDS=30)
    def test_it_writes_nothing_while_the_expiry_is_within_the_window(self) -> None:
        reader = self.read_back(timedelta(minutes=15, seconds=-20))
        before = stored_expiry()

        with CaptureQueriesContext(connection) as queries:
            reader.save()

        assert len(queries) == 0
        assert stored_expiry() == before

    @override_settings(SESSION_RENEW_SECONDS=30)
    def test_it_renews_an_expiry_older_than_the_window(self) -> None:
        reader = self.read_back(timedelta(minutes=15, seconds=-40))

        reader.save()

        assert stored_expiry() - timezone.now() > timedelta(minutes=15, seconds=-5)

    def test_it_shortens_an_expiry_later_than_the_idle_limit(self) -> None:
        # The idle limit was lowered since the session was renewed: it takes effect.
        reader = self.read_back(timedelta(minutes=60))

        reader.save()

        assert stored_expiry() - timezone.now() <= timedelta(minutes=15)

    @override_settings(SESSION_RENEW_SECONDS=0)
    def test_it_renews_at_every_request_with_no_window(self) -> None:
        reader = self.read_back(timedelta(minutes=15, seconds=-1))

        reader.save()

        assert stored_expiry() - timezone.now() > timedelta(minutes=15, seconds=-1)

    @override_settings(SESSION_RENEW_SECONDS=30)
    async def test_it_writes_nothing_within_the_window_asynchronously(self) -> None:
        first = SessionStore()
        await first.aset("role", "therapist")
        await first.asave()
        reader = SessionStore(first.session_key)
        assert await reader.aget("role") == "therapist"
        await Session.objects.all().adelete()  # a write would now raise UpdateError

        await reader.asave()

    @override_settings(SESSION_RENEW_SECONDS=30)
    async def test_it_renews_an_old_expiry_asynchronously(self) -> None:
        first = SessionStore()
        await first.aset("role", "therapist")
        await first.asave()
        soon = timezone.now() + timedelta(minutes=1)
        await Session.objects.all().aupdate(expire_date=soon)
        reader = SessionStore(first.session_key)
        assert await reader.aget("role") == "therapist"

        await reader.asave()

        stored = (await Session.objects.aget()).expire_date
        assert stored - timezone.now() > timedelta(minutes=14)

    def test_it_signs_a_page_out_before_the_server_can(self) -> None:
        self.client.force_login(self.intake)
        idle = settings.SESSION_IDLE_MINUTES * 60 - settings.SESSION_RENEW_SECONDS
        # Renewed 15 s ago: within the window, so this request writes nothing ...
        left = timedelta(seconds=settings.SESSION_IDLE_MINUTES * 60 - 15)
        Session.objects.update(expire_date=timezone.now() + left)

        with CaptureQueriesContext(connection) as queries:
            page = self.client.get("/staff/")

        written = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "django_session"')]
        assert not written
        assert screen_idle_seconds() == idle
        self.assertContains(page, f'data-idle-seconds="{idle}"')
        # ... and the session still has longer left than the page counts.
        assert stored_expiry() - timezone.now() >= timedelta(seconds=idle)

    def test_it_writes_no_session_row_for_a_signed_in_page_soon_after_another(self) -> None:
        self.client.force_login(self.intake)
        self.client.get("/staff/")

        with CaptureQueriesContext(connection) as queries:
            self.client.get("/staff/")

        touching = [q["sql"] for q in queries if "django_session" in q["sql"]]
        assert touching  # the session was read ...
        assert all(sql.lstrip().upper().startswith("SELECT") for sql in touching)  # ... only


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
