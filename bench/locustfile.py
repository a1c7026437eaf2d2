"""The load of one endpoint: `BENCH_USERS` simulated users, each asking again as soon
as answered (no think time), run by `bench/run.py` as `locust --headless`.

Reads the step (bench.plan.Step, with its sessions and the server's address) from the
JSON file named by BENCH_STEP; writes every request it timed to BENCH_SAMPLES: its
wall time in ms (locust's own statistics round it to whole ms, too coarse for a floor
of about a millisecond), whether the endpoint answered as it must, and the
X-Bench-Queries header. Redirects are not followed: a page that sends the user to
sign in has failed, however fast. Each user first asks once untimed (the workers warm
up: templates, caches); the timed window of BENCH_SECONDS opens when every user has
had that answer, and holds the requests sent within it (a failure counts whenever).
"""

from __future__ import annotations

import http.cookiejar
import itertools
import json
import math
import os
import re
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, constant, events, task

STEP: dict[str, Any] = json.loads(Path(os.environ["BENCH_STEP"]).read_text())
SAMPLES: list[dict[str, Any]] = []
WINDOW: dict[str, float] = {}  # the timed window, opened when every user is warm
WARMED: list[int] = []
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="token" value="([^"]+)"')
PROXY = {"X-Forwarded-Proto": "https"}  # as the TLS proxy in front would set it
_next_session = itertools.count()


def _open_window(environment: Any) -> None:
    """Once every user has had its first answer: time BENCH_SECONDS, then stop."""
    WINDOW["start"] = time.time()
    WINDOW["end"] = WINDOW["start"] + float(STEP["seconds"])
    gevent.spawn_later(float(STEP["seconds"]), environment.runner.quit)


def _timed(
    name: str,
    response_time: float,
    response: Any,
    exception: BaseException | None,
    start_time: float,
    **kwargs: Any,
) -> None:
    # Only what was asked within the window, but every failure, the warm-up's too.
    inside = WINDOW.get("start", math.inf) <= start_time <= WINDOW.get("end", -math.inf)
    if exception is None and not inside:
        return
    headers = getattr(response, "headers", None) or {}
    queries = headers.get("X-Bench-Queries")
    SAMPLES.append(
        {
            "name": name,
            "ms": response_time,
            "ok": exception is None,
            "status": int(getattr(response, "status_code", 0) or 0),
            "queries": int(queries) if queries is not None else None,
            "error": "" if exception is None else str(exception)[:200],
        }
    )


def _stopped(**kwargs: Any) -> None:
    seconds = WINDOW["end"] - WINDOW["start"] if "start" in WINDOW else 0.0
    Path(os.environ["BENCH_SAMPLES"]).write_text(
        json.dumps({"seconds": seconds, "samples": SAMPLES})
    )


# Registered by call: locust's events are untyped (a decorator would untype the function).
events.request.add_listener(_timed)  # type: ignore[no-untyped-call]
events.test_stop.add_listener(_stopped)  # type: ignore[no-untyped-call]


class _BehindTheProxy(http.cookiejar.DefaultCookiePolicy):
    """Sends the app's Secure cookies over the loopback's plain HTTP: the browser talks
    HTTPS to the proxy, which would pass them on (X-Forwarded-Proto: https)."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return True


def _set_cookie(jar: http.cookiejar.CookieJar, name: str, value: str) -> None:
    jar.set_cookie(
        http.cookiejar.Cookie(
            0, name, value, None, False, "127.0.0.1", False, False, "/", True, True,
            None, False, None, None, {},
        )
    )  # fmt: skip


class BenchUser(FastHttpUser):
    host = STEP["host"]
    wait_time = constant(0)

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(_BehindTheProxy())
        sessions = STEP["sessions"]
        if sessions:
            key = sessions[next(_next_session) % len(sessions)]
            _set_cookie(self.client.cookiejar, "sessionid", key)
        self.csrf = ""
        try:
            if STEP["flow"] == "post":  # the token of the page the user has open, once
                found = CSRF.search(self._get(STEP["csrf_from"], "(CSRF token)", 200))
                self.csrf = found.group(1) if found else ""
            self.ask()
        finally:  # warm, or failed (and counted): either way the window may open
            WARMED.append(1)
            if len(WARMED) == int(STEP["users"]):
                _open_window(self.environment)

    def _check(self, response: Any, expect: int) -> None:
        if response.status_code != expect:
            where = response.headers.get("Location", "")
            response.failure(
                f"status {response.status_code}, not {expect}"
                + (f" (to {where})" if where else "")
            )
        elif response.headers.get("X-Bench-Queries") is None:
            response.failure("no X-Bench-Queries header: is BENCH_ENDPOINTS on?")
        else:
            response.success()

    def _get(self, path: str, name: str, expect: int) -> str:
        with self.client.get(
            path, name=name, headers=PROXY, allow_redirects=False, catch_response=True
        ) as response:
            self._check(response, expect)
            return str(response.text or "")

    def _post(self, path: str, data: dict[str, str], referer: str) -> None:
        headers = {**PROXY, "Referer": f"https://{self.host.split('://', 1)[1]}{referer}"}
        with self.client.post(
            path, name=STEP["name"], data=data, headers=headers, allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            self._check(response, STEP["expect"])

    def ask(self) -> None:
        flow, path = STEP["flow"], STEP["path"]
        if flow == "get":
            self._get(path, STEP["name"], STEP["expect"])
        elif flow == "request":
            page = self._get(path, STEP["form_name"], 200)
            csrf, token = CSRF.search(page), FORM_TOKEN.search(page)
            if csrf is None or token is None:
                return  # the form's GET has failed, and says so
            self._post(path, _request_form(csrf.group(1), token.group(1)), path)
        else:  # "post", with the CSRF token read at the start
            self._post(path, {"csrfmiddlewaretoken": self.csrf}, STEP["csrf_from"])

    @task
    def endpoint(self) -> None:
        if "start" not in WINDOW:  # the others are still warming up
            gevent.sleep(0.01)
            return
        self.ask()


def _request_form(csrf: str, token: str) -> dict[str, str]:
    return {
        "csrfmiddlewaretoken": csrf,
        "token": token,
        "first_name": "Bench",
        "last_name": f"Visitor {uuid.uuid4().hex[:8]}",
        "email": "bench.visitor@example.com",
        "phone": "(555) 010-0123",
        "preferred_contact": "email",
        "reason": "Bench: asking about KAP.",
        "consent_to_contact": "on",
        "not_emergency_ack": "on",
    }
