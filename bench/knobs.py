"""The environment knobs of `make bench` (bench/README.md lists them)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, not {raw!r}") from None


def _names(name: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in os.environ.get(name, "").split(",") if n.strip())


@dataclass(frozen=True)
class Knobs:
    clients: int
    seed: int
    seconds: int
    concurrency: int
    workers: int
    timeout: int  # gunicorn's worker timeout
    only: tuple[str, ...]  # endpoint names (the floor always runs); empty: all
    database_url: str  # a postgres URL, or "" for SQLite
    cache_dir: Path
    results_dir: Path
    cache_days: int
    reseed: bool

    @property
    def postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))


def from_env() -> Knobs:
    # BENCH_DATABASE_URL first (the README's spelling), then DATABASE_URL; only a
    # PostgreSQL URL is used (a server whose own database is never touched): an SQLite
    # DATABASE_URL is somebody's file, and the bench seeds a file of its own.
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = ""
    return Knobs(
        clients=_int("BENCH_CLIENTS", 10000),
        seed=_int("BENCH_SEED", 14),
        seconds=_int("BENCH_SECONDS", 10),
        concurrency=_int("BENCH_CONCURRENCY", 8),
        workers=_int("BENCH_WORKERS", 2),
        # gunicorn's default, as production runs it: a request that takes longer is killed.
        timeout=_int("BENCH_TIMEOUT", 30),
        only=_names("BENCH_ONLY"),
        database_url=url,
        cache_dir=Path(os.environ.get("BENCH_CACHE_DIR") or ROOT / "var" / "bench"),
        results_dir=Path(os.environ.get("BENCH_RESULTS_DIR") or ROOT / "bench" / "results"),
        cache_days=_int("BENCH_CACHE_DAYS", 7),
        reseed=os.environ.get("BENCH_RESEED", "").strip().lower() in ("1", "true", "yes"),
    )
