"""`make bench-work`: the work each page does, counted, not timed.

On a shared 2-core machine two runs of `make bench` differ by 20–40% on pages that no
change touched (issue 14's closing notes), and a timing in the process varies as much:
a change worth 10% cannot be seen. This counts what does not vary: the Python bytecode
instructions that one request of each GET endpoint of the plan (bench/plan.py)
executes, through Django's test client with the bench's production settings, on a copy
of the cached practice (bench/seeding.py: run `make bench` once to build it; SQLite
only). The same code on the same practice gives the same count to within about 1%
(what a page shows, and so does, moves a little with the time of day). The count leaves
out time spent in C (SQLite, the hashing, the JSON decoder), which the profiles of issue
14 found small beside the Python; it is a guide for choosing and checking a change,
and `make bench` stays the measure of the bars.

    .venv/bin/python bench/work.py                       # every GET endpoint
    BENCH_ONLY="Today (dashboard),inbox" .venv/bin/python bench/work.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import seeding, server  # noqa: E402
from bench.knobs import from_env  # noqa: E402


def bytecodes(call: Callable[[], Any]) -> int:
    """How many bytecode instructions `call()` executes (every frame it enters)."""
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        frame.f_trace_opcodes = True
        if event == "opcode":
            count += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        call()
    finally:
        sys.settrace(previous)
    return count


def main() -> None:
    knobs = from_env()
    if knobs.postgres:
        raise SystemExit("bench/work.py counts on the cached SQLite practice only.")
    key = seeding.seed_key(knobs.clients, knobs.seed)
    cached = knobs.cache_dir / f"pathways-{key}.sqlite3"
    meta = seeding._read_meta(cached.with_suffix(".json"))
    if not cached.exists() or not meta.get("field_key"):
        raise SystemExit(f"No cached practice {key}: run `make bench` once to build it.")
    with tempfile.TemporaryDirectory(prefix="pathways-work-") as tmp:
        copy = Path(tmp) / "work.sqlite3"
        shutil.copyfile(cached, copy)
        env = server.environment(f"sqlite:///{copy}", meta["field_key"], 8000)
        os.environ.update(env)
        from bench.run import static_current

        if not static_current():
            seeding.manage(env, "collectstatic", "--noinput", "-v", "0")
        import django

        django.setup()
        from django.test import Client

        from bench import plan

        steps, unknown = plan.chosen(plan.steps(), knobs.only)
        if unknown:
            raise SystemExit(f"BENCH_ONLY names no endpoint: {sorted(unknown)}")
        print(f"practice {key}, commit {_commit()}: bytecodes per request")
        for step in steps:
            if step.flow != "get":
                continue  # the POSTs change the practice: counted by make bench only
            client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
            if step.user:
                client.cookies["sessionid"] = plan.sessions(step.user, 1)[0]

            def ask(step: plan.Step = step, client: Client = client) -> None:
                response = client.get(step.path, secure=True)
                if response.status_code != step.expect:
                    raise SystemExit(f"{step.name}: {response.status_code}, not {step.expect}")

            # Warm, twice: the first request fills the per-process caches, and the
            # second is the first to carry the CSRF cookie the first set, whose check
            # compiles Django's pattern for it once per process (3,000 bytecodes).
            ask()
            ask()
            print(f"{bytecodes(ask):>12,}  {step.name}", flush=True)


def _commit() -> str:
    from bench.run import _commit as commit

    return commit()


if __name__ == "__main__":
    main()
