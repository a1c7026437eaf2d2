"""Strict environment parsing: a bad setting stops the import, loudly.

Each case imports pathways.settings in a fresh interpreter with a clean
environment, since settings are read once per process.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from pathways.testing import BaseTestCase, assert_refused
from pathways.testing import import_settings as import_settings_with

BASE_DIR = Path(__file__).resolve().parents[2]
PRINT = (
    "import pathways.settings as s; "
    "print(s.MODE, s.DEBUG, getattr(s, 'SESSION_COOKIE_SECURE', False), "
    "s.DATABASES['default']['ENGINE'])"
)
GOOD_PRODUCTION = {
    "PATHWAYS_MODE": "production",
    "SECRET_KEY": "k3Jd9-zQ1v_Lr8pXw2Ty6Nb4Hc7Mf0Gs5Ae1Ui9Oo3Pl2Kj6Hg8Fd4Sa7Zx",
    "ALLOWED_HOSTS": "pathways.example",
    "DATABASE_URL": "postgres://pathways@db.internal:5432/pathways",
    # A test-only Fernet key: production refuses the development one (common.crypto).
    "FIELD_ENCRYPTION_KEYS": "tP_cFlooQVHtnLrdbNbgX4tnqrBRnrvK23ad4ndwkVM=",
}


def import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    return import_settings_with(PRINT, **env)


class SettingsTestCase(BaseTestCase):
    def assert_refused(self, result: subprocess.CompletedProcess[str], message: str) -> None:
        assert_refused(result, message)

    def test_it_imports_a_good_production_environment(self) -> None:
        result = import_settings(**GOOD_PRODUCTION)

        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [
            "production",
            "False",
            "True",
            "django.db.backends.postgresql",
        ]

    def test_it_leaves_daphne_out_of_the_production_apps(self) -> None:
        # A gunicorn worker would otherwise import Twisted for nothing; runserver
        # (development) needs daphne's app to serve the display's WebSockets.
        show = "import pathways.settings as s; print('daphne' in s.INSTALLED_APPS)"

        production = import_settings_with(show, **GOOD_PRODUCTION)
        development = import_settings_with(show)

        assert (production.stdout.strip(), development.stdout.strip()) == ("False", "True")

    def test_it_turns_postgresql_jit_off_and_keeps_the_urls_own_options(self) -> None:
        # Compiling the outcomes report's query took 656 ms of 1,131 (issue 14).
        show = "import pathways.settings as s; print(s.DATABASES['default']['OPTIONS'])"
        plain = import_settings_with(show, **GOOD_PRODUCTION)
        own = import_settings_with(
            show,
            **{
                **GOOD_PRODUCTION,
                "DATABASE_URL": GOOD_PRODUCTION["DATABASE_URL"]
                + "?options=-c%20statement_timeout%3D5000",
            },
        )

        assert "'options': '-c jit=off'" in plain.stdout, plain.stderr
        assert "'options': '-c statement_timeout=5000 -c jit=off'" in own.stdout, own.stderr

    def test_it_serves_static_files_through_the_storage_that_keeps_their_urls(self) -> None:
        # common/static_storage.py: a URL worked out once per name (issue 14).
        show = "import pathways.settings as s; print(s.STORAGES['staticfiles']['BACKEND'])"

        production = import_settings_with(show, **GOOD_PRODUCTION)

        assert production.stdout.strip() == "common.static_storage.ManifestStaticStorage"

    def test_it_collects_static_files_where_static_root_says(self) -> None:
        # `make bench` collects into its own folder while the suite reads var/static.
        show = "import pathways.settings as s; print(s.STATIC_ROOT)"
        default = import_settings_with(show)
        own = import_settings_with(show, STATIC_ROOT="/srv/pathways/static")

        assert default.stdout.strip() == str(BASE_DIR / "var" / "static"), default.stderr
        assert own.stdout.strip() == "/srv/pathways/static", own.stderr

    def test_it_imports_the_development_defaults(self) -> None:
        result = import_settings()

        assert result.returncode == 0, result.stderr
        assert result.stdout.split()[:2] == ["development", "True"]

    def test_it_refuses_debug_in_production(self) -> None:
        result = import_settings(**GOOD_PRODUCTION, DEBUG="true")

        self.assert_refused(result, "DEBUG must be off")

    def test_it_refuses_the_development_secret_in_production(self) -> None:
        env = {**GOOD_PRODUCTION}
        del env["SECRET_KEY"]
        self.assert_refused(import_settings(**env), "SECRET_KEY")

        dev_key = "pathways-development-only-secret-key-do-not-use-in-production"
        self.assert_refused(import_settings(**env, SECRET_KEY=dev_key), "SECRET_KEY")

    def test_it_refuses_a_short_secret_in_production(self) -> None:
        result = import_settings(**{**GOOD_PRODUCTION, "SECRET_KEY": "too-short"})

        self.assert_refused(result, "SECRET_KEY")

    def test_it_refuses_production_without_a_database_url(self) -> None:
        env = {**GOOD_PRODUCTION}
        del env["DATABASE_URL"]

        self.assert_refused(import_settings(**env), "DATABASE_URL")

    def test_it_refuses_production_without_allowed_hosts(self) -> None:
        env = {**GOOD_PRODUCTION}
        del env["ALLOWED_HOSTS"]

        self.assert_refused(import_settings(**env), "ALLOWED_HOSTS")

    def test_it_refuses_a_boolean_it_cannot_read(self) -> None:
        self.assert_refused(import_settings(DEBUG="maybe"), "DEBUG must be one of")

    def test_it_refuses_an_integer_it_cannot_read(self) -> None:
        self.assert_refused(import_settings(AXES_FAILURE_LIMIT="five"), "AXES_FAILURE_LIMIT")

    def test_it_refuses_an_unknown_mode(self) -> None:
        self.assert_refused(import_settings(PATHWAYS_MODE="staging"), "PATHWAYS_MODE")

    def test_it_refuses_a_bad_time_zone(self) -> None:
        result = import_settings(PRACTICE_TIME_ZONE="Mars/Olympus_Mons")

        self.assert_refused(result, "PRACTICE_TIME_ZONE")

    def test_it_accepts_a_real_time_zone(self) -> None:
        result = import_settings(PRACTICE_TIME_ZONE="America/Chicago")

        assert result.returncode == 0, result.stderr
