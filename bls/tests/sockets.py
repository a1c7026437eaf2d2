"""Support for the tests of the BLS WebSockets (bls.consumers): a conversation with the
project's ASGI application through channels' WebsocketCommunicator, as a signed-in
browser (its session cookie) or an anonymous display."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client as DjangoClient

from accounts.models import User
from pathways.asgi import application

T = TypeVar("T")
ORIGIN = (b"origin", b"http://localhost")


def run_async(body: Awaitable[T], *, timeout: float = 60) -> T:
    """Run an async test body in a thread with its own event loop: the test's thread
    may hold a running loop already (Playwright's sync API, once a browser test has
    run), where async_to_sync refuses to work."""

    async def main() -> T:
        return await body

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result(timeout=timeout)


def session_cookie(user: User) -> bytes:
    """The Cookie header of a browser where `user` has signed in."""
    browser = DjangoClient()
    browser.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={browser.cookies[name].value}".encode()


def display_socket() -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/bls/display/", headers=[ORIGIN])


def control_socket(pairing_id: int, cookie: bytes | None) -> WebsocketCommunicator:
    headers = [ORIGIN] + ([(b"cookie", cookie)] if cookie else [])
    return WebsocketCommunicator(application, f"/ws/bls/control/{pairing_id}/", headers=headers)


async def receive(socket: WebsocketCommunicator, timeout: float = 5) -> dict[str, Any]:
    reply: dict[str, Any] = await socket.receive_json_from(timeout=timeout)
    return reply


async def receive_type(socket: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    """The next frame of this type (frames of other types before it are skipped)."""
    while True:
        reply = await receive(socket)
        if reply.get("type") == kind:
            return reply
