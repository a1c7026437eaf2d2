"""The session store (settings.SESSION_ENGINE): Django's database sessions, except
that a request which changed nothing in its session renews only the session's expiry.

Why: the idle limit renews the session at every request (SESSION_SAVE_EVERY_REQUEST),
and Django's store then writes back the whole session as the request read it. Two
requests of one browser overlap all the time (a page and its pictures): a picture
that read the session before a form's POST wrote a flash message (or a re-
authentication stamp) saved its older copy after it, and the message was lost (the
dosing console's "the prescriber has been notified" went missing this way). Here a
request that only read the session cannot overwrite what another one wrote; two
requests that both change the session still race, as in Django.

And a request renews the expiry only when the stored one is more than
SESSION_RENEW_SECONDS older than a renewal would make it (issue 14). Why: the renewal
was a write at every signed-in request, and a write waits for every other write (on
SQLite the whole database's; on PostgreSQL a commit's flush to disk), and it was one
of the five queries that made the signed-in floor 3.7 times the bare one. So a session
now ends between SESSION_IDLE_MINUTES minus SESSION_RENEW_SECONDS and
SESSION_IDLE_MINUTES after its last request, never later; the staff pages' idle timer
counts the shorter of the two
(`screen_idle_seconds`), so that it signs the screen out before the server does and
"Stay signed in" is never offered on a session that has already ended. Accepted with
it: a request that began before a sign-out in another tab, and writes nothing, is no
longer answered with Django's 400 (SessionInterrupted); it was authorised when it began,
and its cookie names a session that no longer exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import router
from django.db.models import QuerySet
from django.utils import timezone

from common.prepared import Prepared


def screen_idle_seconds() -> int:
    """The idle time the staff pages' timer counts: the least a session lasts."""
    return int(settings.SESSION_IDLE_MINUTES * 60 - settings.SESSION_RENEW_SECONDS)


@Prepared
def _session(*, key: str, now: dt.datetime) -> QuerySet[Session]:
    return Session.objects.filter(session_key=key, expire_date__gt=now)[:1]


class SessionStore(db.SessionStore):
    # The expiry the database held when this request read the session (None: not read).
    _stored_expiry: dt.datetime | None = None

    # Django's own reads, which the stubs do not know (hence the ignores).
    def _get_session_from_db(self) -> Any:
        # As Django's store reads it (a session not expired, by its key), through SQL
        # compiled once: every signed-in request asks (issue 14).
        found = _session(key=self.session_key, now=timezone.now())
        stored = found[0] if found else None
        if stored is None:
            self._session_key = None
        self._stored_expiry = stored.expire_date if stored is not None else None
        return stored

    async def _aget_session_from_db(self) -> Any:
        stored = await super()._aget_session_from_db()  # type: ignore[misc]
        self._stored_expiry = stored.expire_date if stored is not None else None
        return stored

    def _fresh_enough(self, renewed: dt.datetime) -> bool:
        stored = self._stored_expiry
        window = dt.timedelta(seconds=settings.SESSION_RENEW_SECONDS)
        # A stored expiry later than a renewal would make (the idle limit was lowered
        # since) is written down, never kept.
        return stored is not None and renewed - window <= stored <= renewed

    def save(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None or self.modified:
            super().save(must_create=must_create)
            return
        expiry = self.get_expiry_date()
        if self._fresh_enough(expiry):
            return
        using = router.db_for_write(self.model)
        renewed = (
            self.model.objects.using(using)
            .filter(session_key=self.session_key)
            .update(expire_date=expiry)
        )
        if not renewed:
            # Gone meanwhile (signed out in another tab): as Django's own store
            # answers, so that the middleware ends the request's session too.
            raise UpdateError

    async def asave(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None or self.modified:
            await super().asave(must_create=must_create)
            return
        expiry = await self.aget_expiry_date()
        if self._fresh_enough(expiry):
            return
        using = router.db_for_write(self.model)
        renewed = (
            await self.model.objects.using(using)
            .filter(session_key=self.session_key)
            .aupdate(expire_date=expiry)
        )
        if not renewed:
            raise UpdateError
