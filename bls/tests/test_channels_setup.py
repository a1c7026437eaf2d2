"""The WebSocket set-up (pathways.asgi, settings): the channel layer chosen by the
environment, the pairing time checked at start-up, the origin check, and daphne's
access lines redacted like Django's."""

from __future__ import annotations

import logging

import pytest
from channels.testing import WebsocketCommunicator

from common.tokens import new_token
from pathways.asgi import application
from pathways.testing import assert_refused, import_settings

from .sockets import run_async

LAYER = "from pathways import settings; print(settings.CHANNEL_LAYERS['default']['BACKEND'])"


def test_it_keeps_the_channel_layer_in_memory_unless_redis_is_named() -> None:
    alone = import_settings(LAYER)
    assert alone.stdout.strip() == "channels.layers.InMemoryChannelLayer", alone.stderr
    shared = import_settings(LAYER, CHANNEL_REDIS_URL="redis://127.0.0.1:6379/0")
    assert shared.stdout.strip() == "channels_redis.core.RedisChannelLayer", shared.stderr


def test_it_stops_start_up_with_a_pairing_code_that_lasts_over_two_minutes() -> None:
    code = "import django; django.setup()"
    env = {"DJANGO_SETTINGS_MODULE": "pathways.settings"}
    assert_refused(import_settings(code, BLS_PAIRING_SECONDS="600", **env), "BLS_PAIRING_SECONDS")
    assert import_settings(code, BLS_PAIRING_SECONDS="60", **env).returncode == 0


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [(b"http://localhost", True), (b"https://evil.example", False), (None, False)],
)
# The socket's session lookup (AuthMiddlewareStack) and the display consumer read the
# database, from a thread of their own: hence transactional.
@pytest.mark.django_db(transaction=True)
def test_it_accepts_a_socket_only_from_the_sites_own_origin(
    origin: bytes | None, accepted: bool
) -> None:
    async def body() -> bool:
        headers = [(b"origin", origin)] if origin else []
        socket = WebsocketCommunicator(application, "/ws/bls/display/", headers=headers)
        connected, _ = await socket.connect()
        await socket.disconnect(timeout=5)
        return bool(connected)

    assert run_async(body()) is accepted


def test_it_redacts_daphnes_access_lines() -> None:
    token = new_token()
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger = logging.getLogger("django.channels.server")
    handler = Capture()
    logger.addHandler(handler)
    try:
        # What daphne's runserver (log_action) writes for a request.
        logger.info(
            "HTTP %(method)s %(path)s %(status)s",
            {"method": "GET", "path": f"/consent/{token}/", "status": 200},
        )
    finally:
        logger.removeHandler(handler)
    assert lines == ["HTTP GET /consent/[redacted]/ 200"]
