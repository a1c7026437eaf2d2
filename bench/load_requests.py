"""`make load`: concurrent Appointment Requests against a live gunicorn server.

Issue 10 §6: 200 requests posted at once store exactly 200, with no 5xx; 20 posted
at once from one address store exactly the public rate limit. Run it on SQLite (the
default, a throw-away file) and on PostgreSQL (LOAD_DATABASE_URL=postgres://…/db;
it counts what it adds, with addresses new to each run). Not a test: it needs a free port and a few
minutes, and prints what it measured; it exits non-zero when a count is wrong.

Each simulated visitor opens the form (for its CSRF cookie and token), then posts
it. Gunicorn sits behind no proxy here, so each visitor's address is passed in
X-Forwarded-For with USE_X_FORWARDED_FOR on, as a reverse proxy would set it.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TOTAL = int(os.environ.get("LOAD_REQUESTS", "200"))
SAME_ADDRESS = int(os.environ.get("LOAD_SAME_ADDRESS", "20"))
LIMIT = int(os.environ.get("PUBLIC_FORM_RATE_LIMIT", "5"))
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "USE_X_FORWARDED_FOR": "true",
            "PUBLIC_FORM_RATE_LIMIT": str(LIMIT),
            # E-mails wait in the outbox; no worker runs here.
            "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def post_one(base: str, address: str, number: int) -> int:
    """One visitor: open the form, post it; the HTTP status of the post."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    headers = {"X-Forwarded-For": address}
    url = f"{base}/request-an-appointment/"
    page = opener.open(urllib.request.Request(url, headers=headers), timeout=60).read().decode()
    csrf, token = TOKEN.search(page), FORM_TOKEN.search(page)
    if csrf is None or token is None:
        raise RuntimeError("the form page carries no CSRF token or submission token")
    data = {
        "csrfmiddlewaretoken": csrf.group(1),
        "token": token.group(1),
        "first_name": "Load",
        "last_name": f"Visitor {number}",
        "email": f"visitor{number}@example.com",
        "phone": "(555) 010-0123",
        "preferred_contact": "email",
        "reason": "Load test: asking about KAP.",
        "consent_to_contact": "on",
        "not_emergency_ack": "on",
    }
    body = urllib.parse.urlencode(data).encode()
    headers["Referer"] = url
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request, timeout=60) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def burst(base: str, addresses: list[str]) -> Counter[int]:
    with ThreadPoolExecutor(max_workers=len(addresses)) as pool:
        futures = [pool.submit(post_one, base, a, n) for n, a in enumerate(addresses)]
        return Counter(f.result() for f in futures)


def stored(env: dict[str, str]) -> int:
    code = (
        "from intake.models import AppointmentRequest; print(AppointmentRequest.objects.count())"
    )
    return int(manage(env, "shell", "--no-imports", "-c", code).strip().splitlines()[-1])


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="pathways-load-")
    database_url = os.environ.get("LOAD_DATABASE_URL", f"sqlite:///{tmp}/load.sqlite3")
    env = environment(database_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    # Counted from what is there already: the audit trail's triggers refuse the
    # TRUNCATE that `flush` would need, so a PostgreSQL database is not emptied.
    before = stored(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workers = os.environ.get("LOAD_WORKERS", "4")
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "pathways.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", workers, "--threads", "8", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        vendor = "PostgreSQL" if "postgres" in database_url else "SQLite"
        start = time.perf_counter()
        # Addresses new to this run: the rate limit remembers an address for an hour,
        # and a PostgreSQL database keeps the last run's requests.
        run = secrets.randbelow(250)
        many = burst(base, [f"10.{run}.{n // 250}.{n % 250 + 1}" for n in range(TOTAL)])
        seconds = time.perf_counter() - start
        count = stored(env) - before
        print(f"{vendor}: {TOTAL} visitors at once from {TOTAL} addresses in {seconds:.1f} s:")
        print(f"  answers {dict(sorted(many.items()))}; stored {count}")
        one = burst(base, [f"172.16.{run}.7"] * SAME_ADDRESS)
        from_one = stored(env) - before - count
        print(f"{vendor}: {SAME_ADDRESS} at once from one address (limit {LIMIT}):")
        print(f"  answers {dict(sorted(one.items()))}; stored {from_one}")
        fives = sum(n for status, n in (many + one).items() if status >= 500)
        ok = count == TOTAL and from_one == LIMIT and fives == 0
        print("OK" if ok else "FAILED: the counts above are not what they must be")
        return 0 if ok else 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
