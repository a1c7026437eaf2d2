"""The WSGI entry point (pathways/wsgi.py): a gunicorn worker loads every view at start
and freezes what it loaded out of the garbage collector's sight (issue 14: the outcomes
report 555 → 464 ms on SQLite at 10,000 clients, DEVELOPERS.md)."""

from __future__ import annotations

import subprocess
import sys


def test_it_loads_the_views_and_freezes_them() -> None:
    code = (
        "import gc, sys; import pathways.wsgi;"
        " print(gc.get_freeze_count() > 100_000, 'measures.outcomes.views' in sys.modules)"
    )
    found = subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert found.stdout.split()[-2:] == ["True", "True"], found.stdout + found.stderr
