"""`make bench` (issue 14 §2): the bulk practice served by gunicorn, driven by locust.

1. The practice of BENCH_CLIENTS clients (seed_demo's bulk mode), seeded once per key
   and copied for the run (bench/seeding.py): SQLite, or PostgreSQL when DATABASE_URL
   (or BENCH_DATABASE_URL) is a postgres URL.
2. gunicorn with production settings and BENCH_ENDPOINTS on (bench/server.py).
3. For each endpoint (bench/plan.py), fresh signed-in sessions, then locust headless at
   BENCH_CONCURRENCY users for BENCH_SECONDS (bench/locustfile.py); the floor first.
4. The workers' peak RSS, then the table and the JSON under bench/results/
   (bench/results.py), printed too.

A report, not a test: it exits 0 when a bar is missed, and 1 when any request was
answered otherwise than its endpoint must (or not at all). bench/README.md has the knobs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import results, seeding, server  # noqa: E402
from bench.knobs import Knobs, from_env  # noqa: E402

PYTHON = sys.executable


def machine() -> dict[str, Any]:
    model, memory_kb = platform.processor() or "?", 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "memory_gb": round(memory_kb / 1024**2, 1)}


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout.strip()


def static_current() -> bool:
    """Whether the bench's collected manifest is newer than every static file of the
    project and than the pinned packages (collectstatic takes half a minute on a loaded
    machine)."""
    manifest = server.STATIC_ROOT / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [ROOT / "requirements.txt", *ROOT.glob("static/**/*"), *ROOT.glob("*/static/**/*")]
    newest = max((p.stat().st_mtime for p in sources if p.is_file()), default=0.0)
    return manifest.stat().st_mtime > newest


def run_locust(knobs: Knobs, workdir: Path, step: dict[str, Any]) -> dict[str, Any]:
    step_file, samples_file = workdir / "step.json", workdir / "samples.json"
    step_file.write_text(json.dumps(step))
    samples_file.unlink(missing_ok=True)
    env = {**os.environ, "BENCH_STEP": str(step_file), "BENCH_SAMPLES": str(samples_file)}
    command = [
        PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        "--users", str(knobs.concurrency), "--spawn-rate", str(knobs.concurrency),
        "--run-time", f"{knobs.seconds + 600}s", "--stop-timeout", "60", "--only-summary",
        "--loglevel", "ERROR", "--exit-code-on-error", "0",
    ]  # fmt: skip
    with (workdir / "locust.log").open("a") as log:
        subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=log, check=False)  # noqa: S603
    if not samples_file.exists():
        raise SystemExit(f"locust wrote no samples for {step['name']}: see {workdir}/locust.log")
    data: dict[str, Any] = json.loads(samples_file.read_text())
    return data


def database_version(vendor: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def bench(knobs: Knobs, workdir: Path) -> results.Report:
    db = seeding.database(knobs, workdir)
    try:
        port = server.free_port()
        env = server.environment(db.url, db.field_key, port)
        if not static_current():
            seeding.manage(env, "collectstatic", "--noinput", "-v", "0")
        os.environ.update(env)  # the same settings as the server: sessions it can read
        import django

        django.setup()
        from django.db import connections

        from bench import plan

        steps = plan.steps()
        steps, unknown = plan.chosen(steps, knobs.only)
        if unknown:
            raise SystemExit(f"BENCH_ONLY names no endpoint: {sorted(unknown)}")
        version = database_version(db.vendor)
        connections.close_all()
        runs: list[tuple[results.Endpoint, list[results.Sample], float]] = []
        load_before = _load()
        with server.Gunicorn(env, port, knobs.workers, knobs.timeout) as gunicorn:
            for step in steps:
                keys = plan.sessions(step.user, knobs.concurrency) if step.user else []
                connections.close_all()
                print(f"bench: {step.name} ({step.method} {step.path})", flush=True)
                data = run_locust(
                    knobs,
                    workdir,
                    {
                        **step.as_dict(),
                        "host": gunicorn.base,
                        "sessions": keys,
                        "users": knobs.concurrency,
                        "seconds": knobs.seconds,
                    },
                )
                by_name: dict[str, list[results.Sample]] = {}
                for s in data["samples"]:
                    sample = results.Sample(
                        s["ms"], s["ok"], s["queries"], s["status"], s["error"]
                    )
                    by_name.setdefault(s["name"], []).append(sample)
                if step.form_name:
                    # Queued behind the POSTs of its own run: for comparison, no bar
                    # (the form alone is its own endpoint).
                    form = results.Endpoint(
                        step.form_name, results.REFERENCE, "GET", step.path, ""
                    )
                    runs.append((form, by_name.pop(step.form_name, []), data["seconds"]))
                endpoint = results.Endpoint(
                    step.name, step.kind, step.method, step.path, step.user
                )
                mine = by_name.pop(step.name, [])
                # A failed request of the set-up (the CSRF page) counts against the endpoint.
                mine += [x for other in by_name.values() for x in other if not x.ok]
                runs.append((endpoint, mine, data["seconds"]))
                print(f"  {len(mine)} requests in {data['seconds']:.1f} s", flush=True)
            workers = gunicorn.worker_memory()
            restarted = gunicorn.restarted()
        notes = []
        if restarted:
            notes.append("A gunicorn worker was replaced during the run (the worker timeout?):")
            notes.append("its peak RSS is that of the new worker.")
        context = {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "database": version,
            "clients": knobs.clients,
            "seed": knobs.seed,
            "seed_key": db.key,
            "seeded_on": db.built_on,
            "seconds": knobs.seconds,
            "concurrency": knobs.concurrency,
            "workers": knobs.workers,
            "worker_timeout": knobs.timeout,
            "settings": "PATHWAYS_MODE=production, DEBUG off, sync workers",
            "machine": machine(),
            "load_average": {"before": load_before, "after": _load()},
            "commit": _commit(),
            "python": platform.python_version(),
            "notes": notes,
        }
        return results.build_report(runs, workers, context)
    finally:
        db.drop()


def write(report: results.Report, directory: Path) -> tuple[Path, Path]:
    c = report.context
    vendor = "sqlite" if str(c["database"]).startswith("SQLite") else "postgresql"
    stem = f"{c['date'][:10]}-{vendor}-{c['clients']}"
    directory.mkdir(parents=True, exist_ok=True)
    md, js = directory / f"{stem}.md", directory / f"{stem}.json"
    md.write_text(results.markdown(report))
    js.write_text(results.as_json(report))
    return md, js


def main() -> int:
    knobs = from_env()
    workdir = Path(tempfile.mkdtemp(prefix="pathways-bench-"))
    started = time.monotonic()
    try:
        report = bench(knobs, workdir)
    except BaseException:
        print(f"bench: stopped; its files (locust.log) are in {workdir}", file=sys.stderr)
        raise
    shutil.rmtree(workdir, ignore_errors=True)
    md, js = write(report, knobs.results_dir)
    print(results.markdown(report))
    print(f"bench: {md} and {js} ({time.monotonic() - started:.0f} s)")
    if report.failed:
        print("bench: FAILED: some requests were not answered as they must be (see the table)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
