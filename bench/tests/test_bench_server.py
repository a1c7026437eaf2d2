"""The bench's server environment (bench.server.environment)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from bench import server


def test_it_collects_its_static_files_apart_from_the_suites() -> None:
    # collectstatic rewrites its folder; `make test` runs the bench's smoke test while
    # other workers' test clients read var/static.
    env = server.environment("sqlite:////tmp/bench.sqlite3", "key", 8000)

    assert Path(env["STATIC_ROOT"]) == server.STATIC_ROOT
    assert Path(env["STATIC_ROOT"]) != Path(settings.STATIC_ROOT)
