from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # argon2 is slow on purpose; tests hash with MD5 (set before any test data
    # is made, so class-level fixtures use it too). Argon2 stays second, so its
    # configuration is still exercised by reading hashes made with it.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
    _scan_static_files_once()


def _scan_static_files_once() -> None:
    """WhiteNoise walks STATIC_ROOT (about 1,100 files, a stat and a header set each)
    when its middleware starts, and Django's test client starts the middleware again
    for every Client it makes: the permission matrices (a Client per role and URL)
    spent 60% of their time there. The files do not change during a run, so each
    process scans a folder once per configuration and later middleware reuse it."""
    from django.conf import settings
    from whitenoise.base import WhiteNoise

    scan = WhiteNoise.update_files_dictionary
    scanned: dict[tuple[Any, ...], dict[str, Any]] = {}

    def changed(path: str) -> int:
        # A collectstatic rewrites the manifest (and the root, when it adds a file).
        with contextlib.suppress(OSError):
            return os.stat(path).st_mtime_ns
        return 0

    def update_files_dictionary(self: Any, root: str, prefix: str) -> None:
        key = (
            type(self), root, prefix, self.max_age, self.charset, self.allow_all_origins,
            getattr(self, "static_prefix", None), self.add_headers_function, self.index_file,
            repr(settings.STORAGES.get("staticfiles")),
            repr(getattr(settings, "WHITENOISE_MIMETYPES", None)),
            repr(getattr(settings, "WHITENOISE_IMMUTABLE_FILE_TEST", None)),
            changed(root), changed(os.path.join(root, "staticfiles.json")),
        )  # fmt: skip
        if key not in scanned:
            kept, self.files = self.files, {}
            scan(self, root, prefix)
            scanned[key], self.files = self.files, kept
        self.files.update(scanned[key])

    WhiteNoise.update_files_dictionary = update_files_dictionary


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The test database lets its flush empty the audit trail: the audit triggers
    (audit/migrations/0004_hash_chain.py) let DELETE and TRUNCATE through only while
    the table `audit_flush_allowed` exists, and only the test set-up creates it."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS audit_flush_allowed (id integer)")


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    # Tasks run inline, so a test sees the e-mail a view queued.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


# --- Browser tests ----------------------------------------------------------
# Playwright drives Debian's chromium; `playwright install` cannot download here.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        reason = f"browser tests need {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    # An assertion waits as long as an action does (the context's 10 s, below), not
    # Playwright's 5 s: under CI's load (both cores busy with the other test worker and
    # the database) a WebSocket round trip through daphne has taken longer than 5 s.
    expect.set_options(timeout=10_000)
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # refuses to run beside one unless told it is safe (it is: we don't share
    # connections across threads here).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def live_server(live_server: Any) -> Any:
    """pytest-django's live server behind a gate (pathways/testing/live_server.py): one
    request at a time on the shared in-memory SQLite connection, and a way to wait
    until no request is being answered."""
    from pathways.testing.live_server import install_gate

    live_server.gate = install_gate(live_server)
    return live_server


@pytest.fixture(autouse=True)
def _live_server_settled(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test on the live server ends when its last request has been answered: the
    test database is emptied after this teardown (the fixture asks for it first), and
    a request still running then would write into the next test's database."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    server = request.getfixturevalue("live_server")
    yield
    _wait_for_live_server(server)


def _wait_for_live_server(server: Any) -> None:
    if not server.gate.wait_idle():
        pytest.fail("the live server was still answering a request 15 s after the test")


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    yield from _page(browser, live_server, {"width": 1100, "height": 900})


@pytest.fixture
def phone_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A page at a phone's width (390 px), for the client-facing pages."""
    from pathways.testing.browser import PHONE

    yield from _page(browser, live_server, PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def asgi_page(browser: Any, asgi_live_server: Any) -> Iterator[Any]:
    """A `page` on the ASGI live server: for pages that open a WebSocket (the BLS display)."""
    yield from _page(browser, asgi_live_server, {"width": 1100, "height": 900})
    # The closed page's sockets are being closed: let their consumers finish (they write
    # to the database) before the test database is emptied.
    asgi_live_server.wait_idle()


def _page(
    browser: Any, live_server: Any, viewport: dict[str, int], **options: Any
) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport=viewport, **options)
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda exc: errors.append(str(exc)))
    new_page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" else None,
    )
    yield new_page
    # Let the last request finish before the test database is emptied: a page still
    # loading (an image, an htmx swap) writes its audit row during the flush otherwise,
    # and the teardown fails on a foreign key under CPU load.
    from playwright.sync_api import Error as PlaywrightError

    # A page that never idles (or was closed) is the test's own business, not teardown's.
    with contextlib.suppress(PlaywrightError):
        new_page.wait_for_load_state("networkidle", timeout=5_000)
    context.close()
    # `_live_server_settled` then waits for the WSGI server's last request (the ASGI
    # server waits in `asgi_page`).
    # A CSP violation or a script error shows up here, and fails the test.
    assert errors == [], errors


# --- The ASGI live server (HTTP and WebSockets) -------------------------------
# pytest-django's live_server speaks WSGI only. For the BLS display's WebSockets the
# project's ASGI application (pathways.asgi) is served by daphne, in a thread of the
# test process, as live_server is, so that it reads and writes the test database: an
# in-memory SQLite database is shared between threads (Django names it with
# cache=shared), PostgreSQL's test database is the same database for every connection.
# Twisted's reactor can run only once per process, so the server lives for the session;
# each test that uses it gets the database through `transactional_db` (committed
# writes, emptied after the test), as live_server's tests do.


class AsgiLiveServer:
    def __init__(self, server: Any, host: str, port: int) -> None:
        self.server = server
        self.url = f"http://{host}:{port}"
        self.ws_url = f"ws://{host}:{port}"

    def __str__(self) -> str:
        return self.url

    def wait_idle(self, timeout: float = 10) -> None:
        """Wait until every connection's application (a request, a consumer) has
        finished: a closed page's consumers run their disconnect after the page is gone."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                running = [
                    c
                    for c in list(self.server.connections.values())
                    if c.get("application_instance") is not None
                    and not c["application_instance"].done()
                ]
            except RuntimeError:  # the server's thread changed the dict meanwhile
                running = [None]
            if not running:
                return
            time.sleep(0.05)


@pytest.fixture(scope="session")
def _asgi_server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[AsgiLiveServer]:
    import threading
    import time

    # Imported here: daphne.server installs Twisted's asyncio reactor on import.
    from daphne.server import Server
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from pathways.asgi import application

    _close_after_use()
    server = Server(
        # Static files as runserver serves them (WhiteNoise serves only collected ones).
        application=ASGIStaticFilesHandler(application),
        endpoints=["tcp:port=0:interface=127.0.0.1"],
        signal_handlers=False,  # not the main thread
        verbosity=0,
    )
    thread = threading.Thread(target=server.run, name="asgi-live-server", daemon=True)
    with django_db_blocker.unblock():
        thread.start()
        deadline = time.monotonic() + 10
        while not server.listening_addresses and time.monotonic() < deadline:
            time.sleep(0.05)
        if not server.listening_addresses:
            pytest.fail("daphne did not start listening", pytrace=False)
        host, port = server.listening_addresses[0]
        yield AsgiLiveServer(server, host, port)
        from twisted.internet import reactor

        reactor.callFromThread(server.stop)
        thread.join(timeout=10)


@pytest.fixture
def asgi_live_server(_asgi_server: AsgiLiveServer, transactional_db: Any) -> AsgiLiveServer:
    """The ASGI live server (daphne: HTTP and WebSockets), with the test's database."""
    return _asgi_server


def _close_after_use() -> None:
    """A thread other than the test's (the live server's, or the one consumers run in)
    opens its own connection: closed after each request or consumer call
    (CONN_MAX_AGE 0), so that none is left open when the test database is emptied or
    dropped."""
    from django.db import connections

    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0


@pytest.fixture
def consumer_db(transactional_db: Any) -> None:
    """The database for a test of the WebSocket consumers (channels' communicator):
    they run in another thread, so the test's writes must be committed, as for the
    live server."""
    _close_after_use()
