"""The ASGI live server fixture (conftest.py): a page it serves opens a WebSocket to
the BLS display's URL, under the page's own Content-Security-Policy, and is given a
pairing code the test database then holds (as a hash)."""

from __future__ import annotations

from typing import Any

import pytest

from bls.models import DisplayPairing
from bls.pairing import code_hash

# Opens the display's socket from the page, says hello, and returns the first reply.
HELLO = """async () => {
  const socket = new WebSocket(`ws://${location.host}/ws/bls/display/`);
  const reply = await new Promise((resolve, reject) => {
    socket.onopen = () => socket.send(JSON.stringify({type: "hello"}));
    socket.onmessage = (event) => resolve(JSON.parse(event.data));
    socket.onerror = () => reject(new Error("the socket failed"));
  });
  socket.close();
  return reply;
}"""


@pytest.mark.browser
def test_it_serves_a_page_whose_websocket_gets_a_code(asgi_page: Any) -> None:
    from pathways.testing.browser import assert_accessible

    asgi_page.goto("/")
    assert_accessible(asgi_page)
    reply = asgi_page.evaluate(HELLO)
    assert reply["type"] == "code"
    assert reply["expires_in"] == 120
    # The server wrote the pairing to the test database: the hash, never the code.
    stored = DisplayPairing.objects.get()
    assert stored.code_hash == code_hash(reply["code"])
    assert reply["code"] not in stored.code_hash
