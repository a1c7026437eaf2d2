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
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # refuses to run beside one unless told it is safe (it is: we don't share
    # connections across threads here).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    yield from _page(browser, live_server, {"width": 1100, "height": 900})


@pytest.fixture
def phone_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A page at a phone's width (390 px), for the client-facing pages."""
    from pathways.testing.browser import PHONE

    yield from _page(browser, live_server, PHONE, is_mobile=True, has_touch=True)


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
    # A CSP violation or a script error shows up here, and fails the test.
    assert errors == [], errors
