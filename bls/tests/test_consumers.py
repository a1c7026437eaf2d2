"""The display's and the control's WebSockets (bls.consumers), through the project's
ASGI application, with channels' WebsocketCommunicator."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from pathways.asgi import application

ORIGIN = (b"origin", b"http://localhost")


async def _hello() -> dict[str, Any]:
    display = WebsocketCommunicator(application, "/ws/bls/display/", headers=[ORIGIN])
    connected, _ = await display.connect()
    assert connected
    await display.send_json_to({"type": "hello"})
    reply: dict[str, Any] = await display.receive_json_from(timeout=5)
    await display.disconnect()
    return reply


@pytest.mark.django_db(transaction=True)
def test_it_gives_a_display_a_code() -> None:
    reply = async_to_sync(_hello)()
    assert reply["type"] == "code"
    assert len(reply["code"]) == 6
    assert reply["expires_in"] == 120
