"""The signed-in request's reads compiled once (common.prepared): the session store, the
sign-in backend and the second factor's middleware answer as Django's and django-otp's
own, case by case (issue 14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangosBackend
from django.contrib.sessions.backends.db import SessionStore as DjangosStore
from django.contrib.sessions.models import Session
from django.test import RequestFactory, TestCase
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as DjangoOtpsMiddleware

from accounts.backends import ModelBackend
from accounts.middleware import OTPMiddleware
from accounts.models import Authenticator, User
from accounts.session_store import SessionStore


def _fields(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(obj).items() if k != "_state"}


class PreparedReadsTests(TestCase):
    def test_it_reads_the_user_as_djangos_backend(self) -> None:
        active = User.objects.create(username="active")
        inactive = User.objects.create(username="inactive", is_active=False)
        for user_id in (active.pk, inactive.pk, 999_999, 2**40, 2**70, -1, 0):
            ours, djangos = ModelBackend().get_user(user_id), DjangosBackend().get_user(user_id)
            self.assertEqual(ours, djangos, user_id)
            if ours is not None and djangos is not None:
                self.assertEqual(_fields(ours), _fields(djangos))
                self.assertEqual(
                    (ours._state.db, ours._state.adding),
                    (djangos._state.db, djangos._state.adding),
                )
        self.assertIsNone(ModelBackend().get_user(inactive.pk))

    def test_it_reads_the_session_as_djangos_store(self) -> None:
        store = SessionStore()
        store["x"] = 1
        store.create()
        key = store.session_key
        assert key is not None
        for asked in (key, "zzzzzzzzzz", key + "x", "a%_'\"\\" * 3):
            ours, djangos = SessionStore(asked), DjangosStore(asked)
            self.assertEqual(ours.load(), djangos.load(), asked)
            self.assertEqual(ours._session_key, djangos._session_key)
        self.assertEqual(SessionStore(key).load(), {"x": 1})
        Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
        ours, djangos = SessionStore(key), DjangosStore(key)
        self.assertEqual(ours.load(), djangos.load())
        self.assertEqual(ours.load(), {})
        self.assertEqual(ours._session_key, djangos._session_key)

    def test_it_reads_the_second_factor_as_django_otp(self) -> None:
        user = User.objects.create(username="a")
        someone = User.objects.create(username="b")
        own = Authenticator.objects.create(user=user, name="phone", confirmed=True)
        theirs = Authenticator.objects.create(user=someone, name="phone", confirmed=True)
        unconfirmed = Authenticator.objects.create(user=user, name="new", confirmed=False)
        label = "accounts.authenticator"
        ids = [
            own.persistent_id, theirs.persistent_id, unconfirmed.persistent_id,
            f"{label}/99999", f"accounts.Authenticator/{own.pk}", f"{label}/ {own.pk}",
            f"{label}/+{own.pk}", f"{label}/0{own.pk}", f"{label}/x", f"{label}/",
            f"x.y.accounts.models.authenticator/{own.pk}", f"{label}/{own.pk}/",
            f"{label}/" + "9" * 30, f"{label}/" + "1" * 5000,
        ]  # fmt: skip
        found = []
        for persistent_id in ids:
            answers = []
            for middleware in (OTPMiddleware, DjangoOtpsMiddleware):
                request = RequestFactory().get("/")
                session = SessionStore()
                session[DEVICE_ID_SESSION_KEY] = persistent_id
                request.session = session
                request.user = User.objects.get(pk=user.pk)
                middleware(lambda r: None)._install_lazy_accessors(request)
                device = getattr(request.user, "otp_device", None)  # set by the middleware
                answers.append((getattr(device, "pk", None), DEVICE_ID_SESSION_KEY in session))
            self.assertEqual(answers[0], answers[1], persistent_id[:40])
            found.append(answers[0][0])
        self.assertEqual(found[0], own.pk)  # only the user's own confirmed device
        self.assertEqual(found[1:3], [None, None])
