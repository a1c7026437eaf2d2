"""A request for calling a view or a panel function directly."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.messages.storage import default_storage as messages_storage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from accounts.access import AuthedRequest
from accounts.models import User


def request_for(
    user: User,
    method: str = "get",
    path: str = "/",
    data: dict[str, Any] | None = None,
    **extra: Any,
) -> AuthedRequest:
    """A request made by `user`, for a test that calls a view or a panel function
    directly: with the session, the messages and the htmx details that the
    middleware adds to a real one. (A service takes `Actor.for_user(user)`.)"""
    factory = RequestFactory()
    if method.lower() in ("get", "post"):
        request = getattr(factory, method.lower())(path, data or {}, **extra)
    else:
        request = factory.generic(method.upper(), path, **extra)
    request.user = user
    request.session = SessionStore()
    request._messages = messages_storage(request)
    request.htmx = HtmxDetails(request)
    return cast(AuthedRequest, request)
