"""The browser tests' live server, made safe for the in-memory SQLite test database.

pytest-django's `live_server` (Django's LiveServerThread) hands the test thread's
connection to every request thread when the test database is in-memory SQLite: one
sqlite3 connection, shared. Django's documentation warns that two threads must never
query through it at once. A page and the picture it loads are two requests at once,
and on that one connection their transactions interleave: two audit rows read the
same last hash (`UNIQUE constraint failed: audit_auditevent.prev_hash`), and an error
in one request's atomic block leaves the shared connection unusable
(`TransactionManagementError`) for every test after it. That cascade failed a CI run.

So, on a shared connection, the server answers one request at a time, and the test's
own queries wait while a request is being answered (a database execute wrapper on the
shared connection takes the same lock): a served practice's database (a file in WAL
mode, or PostgreSQL, each request on its own connection) never needs this. And on any
database, a test's teardown waits until no request is being answered before the test
database is emptied.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class RequestGate:
    """Wraps the live server's WSGI application: counts the requests being answered,
    and answers them one at a time when `serialize` is set."""

    def __init__(self, app: WsgiApp, *, serialize: bool) -> None:
        self.app = app
        self.serialize = serialize
        # Re-entrant: a request's own queries pass `query_wrapper` while it holds it.
        self._one_at_a_time = threading.RLock()
        self._changed = threading.Condition()
        self._active = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._changed:
            self._active += 1
        try:
            if not self.serialize:
                return self._answer(environ, start_response)
            with self._one_at_a_time:
                return self._answer(environ, start_response)
        finally:
            with self._changed:
                self._active -= 1
                self._changed.notify_all()

    def _answer(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        # The body is read here, inside the gate: a streamed response (the audit CSV)
        # reads the database while it is iterated.
        response = self.app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()  # request_finished, as the WSGI server would send it

    def query_wrapper(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        """A query on the shared connection (the test thread's) waits for the request
        being answered, and holds the next one off until it is done."""
        with self._one_at_a_time:
            return execute(sql, params, many, context)

    def wait_idle(self, timeout: float = 15) -> bool:
        """True once no request has been answered for a moment; False at the timeout.
        A request already read from a closed page's socket is still answered: the
        short quiet period lets its thread reach the gate."""
        deadline = time.monotonic() + timeout
        quiet_since: float | None = None
        with self._changed:
            while time.monotonic() < deadline:
                if self._active:
                    quiet_since = None
                    self._changed.wait(timeout=0.05)
                    continue
                now = time.monotonic()
                if quiet_since is None:
                    quiet_since = now
                elif now - quiet_since >= 0.2:
                    return True
                self._changed.wait(timeout=0.05)
        return False


def install_gate(live_server: Any) -> RequestGate:
    """Put a RequestGate in front of pytest-django's running live server."""
    httpd = live_server.thread.httpd
    shared = live_server.thread.connections_override
    gate = RequestGate(httpd.get_app(), serialize=bool(shared))
    httpd.set_app(gate)
    for connection in shared.values():
        connection.execute_wrappers.append(gate.query_wrapper)
    return gate
