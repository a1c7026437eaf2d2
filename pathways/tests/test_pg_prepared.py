"""On PostgreSQL the values are bound by the server and a statement run PG_PREPARE_THRESHOLD
times on a connection is prepared, its plan kept (pathways.settings: planning the pages'
joins cost more than running them, issue 14); 0 turns it off; a wrong value is refused."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.test import SimpleTestCase, TestCase

from accounts.models import User
from pathways.testing.settings_import import assert_refused, import_settings

POSTGRES = "postgres://postgres@127.0.0.1:5432/pathways"
SHOW_OPTIONS = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathways.settings")
django.setup()
from django.conf import settings
options = settings.DATABASES["default"].get("OPTIONS", {})
print(options.get("server_side_binding"), options.get("prepare_threshold"))
"""


class PreparedSettingTests(SimpleTestCase):
    def _options(self, **env: str) -> str:
        result = import_settings(SHOW_OPTIONS, **env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.strip()

    def test_it_prepares_after_five_runs_by_default_on_postgresql(self) -> None:
        self.assertEqual(self._options(DATABASE_URL=POSTGRES), "True 5")
        self.assertEqual(self._options(DATABASE_URL=POSTGRES, PG_PREPARE_THRESHOLD="2"), "True 2")

    def test_it_prepares_nothing_when_off_or_on_sqlite(self) -> None:
        self.assertEqual(
            self._options(DATABASE_URL=POSTGRES, PG_PREPARE_THRESHOLD="0"), "None None"
        )
        self.assertEqual(self._options(DATABASE_URL="sqlite:///var/x.sqlite3"), "None None")

    def test_it_refuses_a_threshold_out_of_its_range(self) -> None:
        for value in ("-1", "1001"):
            with self.subTest(value=value):
                result = import_settings("import pathways.settings", PG_PREPARE_THRESHOLD=value)
                assert_refused(result, "PG_PREPARE_THRESHOLD must be 0 to 1000")
        assert_refused(
            import_settings("import pathways.settings", PG_PREPARE_THRESHOLD="many"),
            "PG_PREPARE_THRESHOLD must be an integer",
        )


class PreparedOnTheServerTests(TestCase):
    def test_it_keeps_a_statement_run_often_prepared(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("prepared statements are PostgreSQL's")
        threshold = settings.PG_PREPARE_THRESHOLD
        if not threshold:
            self.skipTest("PG_PREPARE_THRESHOLD=0: nothing is prepared")
        # A statement no other test sends (a user by id, name, e-mail and last name).
        for pk in range(threshold + 1):
            list(User.objects.filter(pk=pk, username="x", email="x@x.test", last_name="x"))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s "
                "AND statement LIKE %s AND statement LIKE %s",
                [f'%"accounts_user"."{name}" = $%' for name in ("email", "last_name", "username")],
            )
            (prepared,) = cursor.fetchone()
        self.assertGreaterEqual(prepared, 1)
