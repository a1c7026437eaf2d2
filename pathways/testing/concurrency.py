"""Running jobs at the same moment, for the race tests (they need PostgreSQL: the
in-memory SQLite test database cannot serve two writers at once)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections

Job = Callable[[], str]


def run_together(*jobs: Job, refused: tuple[type[Exception], ...]) -> list[str]:
    """Start every job at once (a barrier) in its own thread and connection, and
    return what each said, in the order they finished: its own result, "refused:
    <message>" for one of the `refused` errors, or the repr of any other error (which
    the test then reports)."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job: Job) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(job())
        except refused as exc:
            outcomes.append(f"refused: {exc}")
        except Exception as exc:  # reported by the test
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
