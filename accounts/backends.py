"""The sign-in backend: Django's ModelBackend, with the read of the signed-in user
through SQL compiled once (common.prepared). Why: every signed-in request reads its
user (django.contrib.auth.get_user), and Django spent eight times as long building
that query as the database spent answering it (issue 14: 13,460 bytecodes against
1,743). Everything else, the password check and `user_can_authenticate` among it, is
Django's.

A session remembers the backend that signed it in, and Django reads its user only if
that backend is still in AUTHENTICATION_BACKENDS: sessions signed in through
`django.contrib.auth.backends.ModelBackend` before this one took its place were signed
out once, on their next request (README, "Deploying").
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends
from django.db.models import QuerySet

from accounts.models import User
from common.prepared import Prepared


@Prepared
def _user(*, pk: int) -> QuerySet[User]:
    # Unordered, as Django's get() reads it.
    return User._default_manager.filter(pk=pk).order_by()[:1]


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        found = _user(pk=user_id)
        if not found:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None
