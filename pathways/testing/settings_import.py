"""Importing the settings in a fresh process with a given environment, for the tests
of start-up checks (a refused environment stops the import with ImproperlyConfigured)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def import_settings(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` (which imports pathways.settings) with only `env` and PATH set."""
    clean = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(BASE_DIR), **env}
    return subprocess.run(  # noqa: S603  (this interpreter, fixed arguments)
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_refused(result: subprocess.CompletedProcess[str], message: str) -> None:
    """The import stopped with ImproperlyConfigured, saying `message`."""
    # Raised, not asserted: this module is not rewritten by pytest, and runs under -O too.
    if result.returncode == 0:
        raise AssertionError(f"the settings were accepted: {result.stdout}")
    if "ImproperlyConfigured" not in result.stderr or message not in result.stderr:
        raise AssertionError(f"expected ImproperlyConfigured saying {message!r}: {result.stderr}")
