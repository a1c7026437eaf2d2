"""One short run of the whole harness (bench/run.py): 20 clients seeded, gunicorn with
production settings, locust for a second on the floor and two pages.

On the database the suite runs on: SQLite, or PostgreSQL when DATABASE_URL names one
(then on `<name>_smoke_bench`, kept for the next run as the bench keeps its practices,
and `<name>_smoke_bench_run`, dropped; never a bench of 10,000 that may sit in
`<name>_bench`). The practice of 20 is cached in var/bench as `make bench` caches its
own, so that only the first run migrates and seeds. Without gunicorn or locust (a venv
without the dev extra) it is skipped with the reason printed, except in CI, where it
fails.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench.knobs import ROOT

pytestmark = pytest.mark.bench_smoke
ENDPOINTS = ("home", "client chart")


def _missing() -> list[str]:
    return [name for name in ("gunicorn", "locust") if importlib.util.find_spec(name) is None]


def _smoke_url(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "pathways"
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}_smoke", parts.query, ""))


def test_it_runs_the_bench_end_to_end(tmp_path: Path) -> None:
    missing = _missing()
    if missing:
        reason = f"bench smoke: no {', '.join(missing)} here (pip install -r requirements-dev.txt)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)
    env = {
        **os.environ,
        "BENCH_CLIENTS": "20",
        "BENCH_SECONDS": "1",
        "BENCH_ONLY": ",".join(ENDPOINTS),
        # A worker's first request imports every view; on a loaded CI machine that can
        # take longer than the 30 s that production allows.
        "BENCH_TIMEOUT": "300",
        "BENCH_RESULTS_DIR": str(tmp_path / "results"),
    }
    env.pop("BENCH_DATABASE_URL", None)
    database = os.environ.get("DATABASE_URL", "")
    postgres = database.startswith(("postgres://", "postgresql://"))
    if postgres:
        env["BENCH_DATABASE_URL"] = _smoke_url(database)
    done = subprocess.run(
        [sys.executable, "bench/run.py"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (found,) = (tmp_path / "results").glob("*.json")
    report = json.loads(found.read_text())
    rows = {row["name"]: row for row in report["endpoints"]}
    assert list(rows) == ["floor", "floor, signed in", *ENDPOINTS]  # both floors, always
    for row in rows.values():
        assert row["requests"] > 0
        assert row["failures"] == 0
        assert row["p50"] > 0
        assert row["queries"] is not None  # the X-Bench-Queries header was read
    assert rows["floor"]["queries"] == 0
    assert rows["client chart"]["queries"] > rows["home"]["queries"]
    assert report["context"]["database"].startswith("PostgreSQL" if postgres else "SQLite")
    assert report["context"]["clients"] == 20
    assert len(report["workers"]) == 2
    assert all(w["hwm_mb"] > 0 for w in report["workers"])
    assert found.with_suffix(".md").read_text().startswith("# make bench:")
