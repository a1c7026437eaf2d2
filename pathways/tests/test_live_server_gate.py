"""The browser tests' live-server gate (pathways/testing/live_server.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from pathways.testing.live_server import RequestGate


class SlowApp:
    """A WSGI app that notes how many of its requests overlap, and streams its body."""

    def __init__(self) -> None:
        self.running = 0
        self.most_at_once = 0
        self.lock = threading.Lock()
        self.started = threading.Event()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return self._body()

    def _body(self) -> Iterator[bytes]:
        # The work happens while the body is iterated, as a streamed response's does.
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.started.set()
        time.sleep(0.2)
        yield b"done"
        with self.lock:
            self.running -= 1


def answer_together(gate: RequestGate, how_many: int) -> list[list[bytes]]:
    bodies: list[list[bytes]] = []
    threads = [
        threading.Thread(target=lambda: bodies.append(gate({}, lambda *_: None)))
        for _ in range(how_many)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return bodies


def test_it_answers_one_request_at_a_time_on_a_shared_connection() -> None:
    app = SlowApp()
    bodies = answer_together(RequestGate(app, serialize=True), 3)

    assert app.most_at_once == 1
    assert bodies == [[b"done"]] * 3


def test_it_lets_requests_overlap_when_each_has_its_own_connection() -> None:
    app = SlowApp()
    answer_together(RequestGate(app, serialize=False), 3)

    assert app.most_at_once > 1


def test_it_waits_until_the_request_being_answered_is_done() -> None:
    app = SlowApp()
    gate = RequestGate(app, serialize=True)
    thread = threading.Thread(target=lambda: gate({}, lambda *_: None))
    thread.start()
    app.started.wait(timeout=5)

    assert gate.wait_idle(timeout=0.05) is False
    assert gate.wait_idle(timeout=5) is True
    assert app.running == 0
    thread.join()


def test_it_holds_a_query_of_the_test_off_while_a_request_is_answered() -> None:
    app = SlowApp()
    gate = RequestGate(app, serialize=True)
    seen: list[int] = []
    thread = threading.Thread(target=lambda: gate({}, lambda *_: None))
    thread.start()
    app.started.wait(timeout=5)

    gate.query_wrapper(lambda *_: seen.append(app.running), "SELECT 1", None, False, {})

    assert seen == [0]  # the query ran once the request was done
    thread.join()
