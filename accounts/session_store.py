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
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import router


class SessionStore(db.SessionStore):
    def save(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None or self.modified:
            super().save(must_create=must_create)
            return
        using = router.db_for_write(self.model)
        renewed = (
            self.model.objects.using(using)
            .filter(session_key=self.session_key)
            .update(expire_date=self.get_expiry_date())
        )
        if not renewed:
            # Gone meanwhile (signed out in another tab): as Django's own store
            # answers, so that the middleware ends the request's session too.
            raise UpdateError

    async def asave(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None or self.modified:
            await super().asave(must_create=must_create)
            return
        using = router.db_for_write(self.model)
        renewed = (
            await self.model.objects.using(using)
            .filter(session_key=self.session_key)
            .aupdate(expire_date=await self.aget_expiry_date())
        )
        if not renewed:
            raise UpdateError
