"""No URL of the project escapes the permission matrices.

Each app keeps its tables in tests/test_permission_matrix*.py (built by
pathways.testing.permission_matrix; the public and secret-link URLs are in
pathways/tests/test_permission_matrix_public.py); this gathers them all and compares
them with every URL pattern of the project, but for the exclusions below, each with
its reason.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pathways.testing import MATRIX_ROLES, url_names
from pathways.testing.size import matrix_size, matrix_tables

# The sign-in steps live under /staff/ but are not role-checked: they are for
# anyone signing in (test_login.py, test_two_factor.py and test_reauth.py cover them).
SIGN_IN_URLS = {
    "accounts:login",
    "accounts:verify",
    "accounts:reauth",
    "accounts:otp_setup",
    "accounts:logout",
}
# URL prefixes outside the matrices, and why.
EXCLUDED_PREFIXES = {
    # Django's own admin site: its permission check is replaced in pathways/urls.py
    # (the admin role with a second factor only), covered by accounts' admin tests;
    # its hundreds of generated URLs are not views of ours.
    "admin/": "Django admin",
    # Not in the URLconf at all: WhiteNoise answers /static/ before any view, with
    # the files of static/ only (no PHI). Listed so that a route added there fails.
    "static/": "static files",
}


def test_every_url_is_in_a_matrix() -> None:
    covered: set[str] = set()
    for where, table in matrix_tables().items():
        overlap = covered & set(table)
        assert not overlap, f"{where} repeats {overlap}"
        covered |= set(table)
    excluded = url_names(tuple(EXCLUDED_PREFIXES)) | SIGN_IN_URLS

    assert url_names() - excluded == covered
    assert url_names() >= SIGN_IN_URLS
    assert url_names(("admin/",)), "the admin's URLs are excluded by their prefix"
    assert not url_names(("static/",)), "a view under /static/ would escape the matrix"


def test_it_tries_every_url_with_nine_roles(capsys: pytest.CaptureFixture[str]) -> None:
    size = matrix_size()

    with capsys.disabled():
        print(f"\npermission matrix: {size}")
    assert size.roles == len(MATRIX_ROLES) == 9
    assert size.cells == size.urls * 9
    assert size.urls == len(url_names() - url_names(tuple(EXCLUDED_PREFIXES)) - SIGN_IN_URLS)


@pytest.mark.parametrize("name", ["accounts:verify", "accounts:otp_setup"])
def test_the_second_factor_pages_need_a_password_first(name: str, db: Any) -> None:
    url = reverse(name)

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/staff/sign-in/?next={url}"
