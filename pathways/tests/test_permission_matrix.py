"""No staff or partner URL escapes the permission matrices.

Each app keeps its table in tests/test_permission_matrix*.py (built by
pathways.testing.permission_matrix); this gathers them all and compares them with
every URL of the project under /staff/ and /partner/.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse

from pathways.testing import Entry, url_names

# The sign-in steps live under /staff/ but are not role-checked: they are for
# anyone signing in (test_login.py, test_two_factor.py and test_reauth.py cover them).
SIGN_IN_URLS = {
    "accounts:login",
    "accounts:verify",
    "accounts:reauth",
    "accounts:otp_setup",
    "accounts:logout",
}


def _tables() -> dict[str, dict[str, Entry]]:
    """Every app's permission-matrix tables, by module and class."""
    tables: dict[str, dict[str, Entry]] = {}
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(settings.BASE_DIR):
            continue
        for path in sorted(Path(config.path, "tests").glob("test_permission_matrix*.py")):
            module = importlib.import_module(f"{config.name}.tests.{path.stem}")
            for name, value in vars(module).items():
                if isinstance(value, type) and hasattr(value, "permission_table"):
                    tables[f"{module.__name__}.{name}"] = value.permission_table
    return tables


def test_every_staff_and_partner_url_is_in_a_matrix() -> None:
    covered: set[str] = set()
    for where, table in _tables().items():
        overlap = covered & set(table)
        assert not overlap, f"{where} repeats {overlap}"
        covered |= set(table)
    checked = url_names()

    assert checked - SIGN_IN_URLS == covered
    assert checked >= SIGN_IN_URLS


@pytest.mark.parametrize("name", ["accounts:verify", "accounts:otp_setup"])
def test_the_second_factor_pages_need_a_password_first(name: str, db: Any) -> None:
    url = reverse(name)

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/staff/sign-in/?next={url}"
