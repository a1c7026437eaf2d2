"""gunicorn as production runs it, on loopback, and its workers' memory.

Production settings (PATHWAYS_MODE=production: DEBUG off, the manifest of static
files, secure cookies, REQUIRE_2FA) with the bench's instruments on
(BENCH_ENDPOINTS=true). There is no TLS proxy in front, so every request carries
`X-Forwarded-Proto: https`, as the proxy would set it (SECURE_PROXY_SSL_HEADER): the
app then treats it as the secure request it would be, with no redirect to https.
E-mails wait in the outbox (no db_worker runs); the public forms' rate limit is
raised, the bench posting from one address.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.knobs import ROOT

PYTHON = sys.executable
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
FLOOR_PATH = "/bench/floor/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# The bench's own collected static files (production's manifest storage): collectstatic
# rewrites its folder, and `make test` runs the bench's smoke test beside other tests
# that read var/static.
STATIC_ROOT = ROOT / "var" / "bench" / "static"


def environment(database_url: str, field_key: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DEBUG", None)
    env.update(
        {
            "PATHWAYS_MODE": "production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"https://127.0.0.1:{port}",
            "DATABASE_URL": database_url,
            "FIELD_ENCRYPTION_KEYS": field_key,
            "BENCH_ENDPOINTS": "true",
            "PUBLIC_FORM_RATE_LIMIT": str(10**9),
            "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "pathways.settings",
            "STATIC_ROOT": str(STATIC_ROOT),
        }
    )
    return env


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmHWM, VmRSS) of a process, in MB (from /proc; 0 when it has gone)."""
    values = {"VmHWM": 0.0, "VmRSS": 0.0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in values:
                values[name] = int(rest.split()[0]) / 1024  # kB
    except OSError:
        pass
    return values["VmHWM"], values["VmRSS"]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


class Gunicorn:
    def __init__(self, env: dict[str, str], port: int, workers: int, timeout: int) -> None:
        self.env, self.port, self.workers, self.timeout = env, port, workers, timeout
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.started_workers: list[int] = []

    def __enter__(self) -> Gunicorn:
        command = [
            PYTHON, "-m", "gunicorn", "pathways.wsgi", "-b", f"127.0.0.1:{self.port}",
            "-w", str(self.workers), "--timeout", str(self.timeout), "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603  (our own server)
            command, cwd=ROOT, env=self.env, start_new_session=True
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("gunicorn stopped at start-up (see above)")
            try:
                floor = self.base + FLOOR_PATH
                request = urllib.request.Request(floor, headers=PROXY_HEADERS)  # noqa: S310
                with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise SystemExit("gunicorn did not answer the floor within 5 minutes")
        self.started_workers = self.worker_pids()
        return self

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def worker_memory(self) -> list[dict[str, Any]]:
        rows = []
        for pid in self.worker_pids():
            hwm, rss = memory_mb(pid)
            rows.append({"pid": pid, "hwm_mb": round(hwm, 1), "rss_mb": round(rss, 1)})
        return rows

    def restarted(self) -> bool:
        """Whether a worker was replaced during the run (killed at the timeout, say)."""
        return set(self.worker_pids()) != set(self.started_workers)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
