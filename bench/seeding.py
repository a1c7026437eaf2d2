"""The bench's database: the bulk practice seeded once per key, copied for each run.

The key is (clients, seed, a hash of every migration and of the seed's own code):
a change to either builds the practice again. SQLite: the seeded file is cached as
`var/bench/pathways-<key>.sqlite3` and copied to a throw-away file for each run (a run
writes: sessions, audit entries, the requests it posts). PostgreSQL (a postgres
DATABASE_URL): the server's own database is never touched; the practice is seeded into
`<name>_bench` (its key in the database's COMMENT), and each run works on
`<name>_bench_run`, a copy made from it as a template and dropped at the end.

The practice's dates are relative to the day it was built, so a cache older than
BENCH_CACHE_DAYS is built again (its "today" has moved on). Its field-encryption key,
needed to read it, is kept beside it (`<cache>.json`): invented data only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet

from bench.knobs import ROOT, Knobs

PYTHON = sys.executable
SEED_CODE = (
    "pathways/management/commands/seed_demo.py",
    "pathways/management/commands/_bulk_*.py",
    # Schema made after migrate, outside the migrations (the client names' index).
    "clients/name_index.py",
)


@dataclass
class Database:
    url: str
    vendor: str  # "sqlite" or "postgresql"
    field_key: str
    key: str
    built_on: str
    drop: Callable[[], None]


def seed_key(clients: int, seed: int, root: Path = ROOT) -> str:
    """`<clients>-<seed>-<hash>`: the hash of every migration file and of the seed code."""
    files = sorted(root.glob("*/migrations/*.py"))
    for pattern in SEED_CODE:
        files += sorted(root.glob(pattern))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{clients}-{seed}-{digest.hexdigest()[:12]}"


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603  (our own manage.py, with our arguments)
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def seed_environment(database_url: str, field_key: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "PATHWAYS_MODE": "development",
            "DEBUG": "false",
            "FIELD_ENCRYPTION_KEYS": field_key,
            "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        }
    )
    return env


def _seed(knobs: Knobs, database_url: str, field_key: str) -> None:
    env = seed_environment(database_url, field_key)
    print(f"bench: seeding {knobs.clients} clients (seed {knobs.seed}) once ...", flush=True)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo", "--clients", str(knobs.clients), "--seed", str(knobs.seed))


def _fresh(meta: dict[str, Any], key: str, knobs: Knobs) -> bool:
    if knobs.reseed or meta.get("key") != key or not meta.get("field_key"):
        return False
    built = dt.date.fromisoformat(str(meta.get("built_on", "1970-01-01")))
    return (dt.date.today() - built).days < knobs.cache_days  # noqa: DTZ011  (the machine's day)


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _new_meta(key: str) -> dict[str, Any]:
    return {
        "key": key,
        "field_key": Fernet.generate_key().decode(),
        "built_on": dt.date.today().isoformat(),  # noqa: DTZ011  (the machine's day)
    }


def _remove_abandoned(directory: Path) -> None:
    """The files of a build whose process has gone (stopped halfway, say)."""
    for path in directory.glob("building-*"):
        pid = path.name.split(".")[0].rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            path.unlink(missing_ok=True)


def sqlite_database(knobs: Knobs, workdir: Path) -> Database:
    key = seed_key(knobs.clients, knobs.seed)
    knobs.cache_dir.mkdir(parents=True, exist_ok=True)
    cached = knobs.cache_dir / f"pathways-{key}.sqlite3"
    meta_path = cached.with_suffix(".json")
    meta = _read_meta(meta_path)
    if not (cached.exists() and _fresh(meta, key, knobs)):
        # The same clients and seed under an older key: out of date, 1.5 GB at 10,000.
        for old in knobs.cache_dir.glob(f"pathways-{knobs.clients}-{knobs.seed}-*"):
            old.unlink()
        _remove_abandoned(knobs.cache_dir)
        meta = _new_meta(key)
        building = knobs.cache_dir / f"building-{key}-{os.getpid()}.sqlite3"
        try:
            _seed(knobs, f"sqlite:///{building}", meta["field_key"])
            with sqlite3.connect(building) as db:  # the WAL into the file, to copy it alone
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            os.replace(building, cached)
        finally:
            for leftover in knobs.cache_dir.glob(f"building-{key}-{os.getpid()}.sqlite3*"):
                leftover.unlink()
        meta_path.write_text(json.dumps(meta))
    else:
        print(f"bench: the practice {key} from {meta['built_on']}, cached", flush=True)
    copy = workdir / "bench.sqlite3"
    shutil.copyfile(cached, copy)
    return Database(
        f"sqlite:///{copy}", "sqlite", meta["field_key"], key, meta["built_on"], lambda: None
    )


def _with_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def postgres_database(knobs: Knobs, workdir: Path) -> Database:
    import psycopg
    from psycopg import sql

    key = seed_key(knobs.clients, knobs.seed)
    name = urlsplit(knobs.database_url).path.lstrip("/") or "pathways"
    seeded, run = f"{name}_bench", f"{name}_bench_run"
    label = f"pathways-bench {key}"
    server = urlsplit(knobs.database_url)
    knobs.cache_dir.mkdir(parents=True, exist_ok=True)
    meta_path = knobs.cache_dir / f"pg-{server.hostname}-{server.port or 5432}-{seeded}.json"
    meta = _read_meta(meta_path)

    def admin() -> psycopg.Connection[Any]:
        return psycopg.connect(_with_name(knobs.database_url, "postgres"), autocommit=True)

    with admin() as conn:
        found = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [seeded],
        ).fetchone()
        version = int(conn.execute("SHOW server_version_num").fetchone()[0])  # type: ignore[index]
        if found is None or found[0] != label or not _fresh(meta, key, knobs):
            meta = _new_meta(key)
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(seeded))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(seeded)))
            _seed(knobs, _with_name(knobs.database_url, seeded), meta["field_key"])
            # Planner statistics, as autovacuum would have gathered them by now.
            with psycopg.connect(_with_name(knobs.database_url, seeded), autocommit=True) as db:
                db.execute("ANALYZE")
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(seeded), sql.Literal(label)
                )
            )
            meta_path.write_text(json.dumps(meta))
        else:
            print(f"bench: the practice {key} from {meta['built_on']}, in {seeded}", flush=True)
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(run))
        )
        strategy = sql.SQL(" STRATEGY FILE_COPY") if version >= 150000 else sql.SQL("")
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(run), sql.Identifier(seeded)
            )
            + strategy
        )

    def drop() -> None:
        with admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(run))
            )

    return Database(
        _with_name(knobs.database_url, run), "postgresql", meta["field_key"], key,
        meta["built_on"], drop,
    )  # fmt: skip


def database(knobs: Knobs, workdir: Path) -> Database:
    return postgres_database(knobs, workdir) if knobs.postgres else sqlite_database(knobs, workdir)
