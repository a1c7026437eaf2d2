"""A SQLite connection opens with WAL, NORMAL synchronisation and the page cache of
SQLITE_CACHE_MB (pathways.settings: issue 14 measured 16 MB against SQLite's 2 MB)."""

from __future__ import annotations

import os
import tempfile

from django.test import SimpleTestCase

from pathways.testing.settings_import import assert_refused, import_settings

SHOW_CACHE = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathways.settings")
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA cache_size")
    print(cursor.fetchone()[0])
"""


class SqlitePragmaTests(SimpleTestCase):
    def _cache_size(self, **env: str) -> str:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{os.path.join(tmp, 'pragmas.sqlite3')}"
            result = import_settings(SHOW_CACHE, DATABASE_URL=url, **env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.strip()

    def test_it_opens_each_connection_with_the_page_cache_of_the_setting(self) -> None:
        self.assertEqual(self._cache_size(), str(-16 * 1024))
        self.assertEqual(self._cache_size(SQLITE_CACHE_MB="64"), str(-64 * 1024))

    def test_it_refuses_a_cache_out_of_its_range(self) -> None:
        for value in ("0", "-5", "1025"):
            with self.subTest(value=value):
                result = import_settings("import pathways.settings", SQLITE_CACHE_MB=value)
                assert_refused(result, "SQLITE_CACHE_MB must be 1 to 1024")
        assert_refused(
            import_settings("import pathways.settings", SQLITE_CACHE_MB="lots"),
            "SQLITE_CACHE_MB must be an integer",
        )
        # On PostgreSQL too: a wrong value is refused, not kept for the day it is used.
        postgres = "postgres://postgres@127.0.0.1:5432/pathways"
        assert_refused(
            import_settings(
                "import pathways.settings", SQLITE_CACHE_MB="0", DATABASE_URL=postgres
            ),
            "SQLITE_CACHE_MB must be 1 to 1024",
        )
