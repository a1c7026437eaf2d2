"""The bench's floor view and query-count header exist only when BENCH_ENDPOINTS is on
(pathways/bench_endpoints.py; issue 14 §2)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches

from pathways import urls
from pathways.bench_endpoints import QUERY_COUNT_HEADER
from pathways.testing import BaseTestCase

FLOOR = "/bench/floor/"


def _reload_urls() -> None:
    importlib.reload(urls)
    clear_url_caches()


@pytest.fixture
def bench_on() -> Iterator[None]:
    """The project's URLconf read again with the setting on, and again after without."""
    with override_settings(BENCH_ENDPOINTS=True):
        _reload_urls()
        yield
    _reload_urls()


@pytest.mark.django_db
def test_it_has_no_floor_and_no_header_by_default() -> None:
    response = Client().get(FLOOR)
    assert response.status_code == 404
    assert QUERY_COUNT_HEADER not in response
    assert QUERY_COUNT_HEADER not in Client().get("/")


@pytest.mark.django_db
@pytest.mark.usefixtures("bench_on")
def test_it_serves_the_floor_with_the_query_count_when_on() -> None:
    response = Client().get(FLOOR)
    assert response.status_code == 200
    assert response.content == b"floor\n"
    # Anonymous, no session: the bare view and the middleware read nothing.
    assert response[QUERY_COUNT_HEADER] == "0"
    # The floor goes through the same middleware as every page (CSP, frame options, ...).
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_it_leaves_the_floor_out_after_the_setting_is_off_again(bench_on: None) -> None:
    assert Client().get(FLOOR).status_code == 200
    with override_settings(BENCH_ENDPOINTS=False):
        _reload_urls()
        assert Client().get(FLOOR).status_code == 404
    _reload_urls()


class QueryCountTestCase(BaseTestCase):
    @override_settings(BENCH_ENDPOINTS=True)
    def test_it_counts_every_query_of_a_staff_page(self) -> None:
        self.client.force_login(self.intake)
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get("/staff/requests/")
        assert response.status_code == 200
        # The session, the user, the page's own reads, the audit entry, the session saved.
        assert int(response[QUERY_COUNT_HEADER]) == len(captured) > 5

    def test_it_sends_no_count_when_off(self) -> None:
        self.client.force_login(self.intake)
        response = self.client.get("/staff/requests/")
        assert response.status_code == 200
        assert QUERY_COUNT_HEADER not in response
