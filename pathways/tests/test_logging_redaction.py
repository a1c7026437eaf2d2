"""Secret-link tokens and searches stay out of the logs (common.logging), on the
loggers Django itself writes the path to: django.request (warnings such as "Not
Found: /consent/<token>/") and django.server (runserver's access lines)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from common.logging import RedactSecretsFilter, redact
from common.tokens import new_token
from pathways.testing import BaseTestCase


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def captured(name: str) -> Iterator[Capture]:
    """The lines logged to `name`, as its configured filters leave them."""
    logger = logging.getLogger(name)
    handler = Capture()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


class RequestLoggerTestCase(BaseTestCase):
    def test_it_redacts_a_consent_token_in_a_not_found_warning(self) -> None:
        token = new_token()
        with captured("django.request") as log:
            response = self.client.get(f"/consent/{token}/")

        assert response.status_code == 404
        assert log.lines, "django.request logged nothing"
        assert token not in "\n".join(log.lines)
        assert "/consent/[redacted]/" in "\n".join(log.lines)

    def test_it_redacts_a_measures_token(self) -> None:
        token = new_token()
        with captured("django.request") as log:
            self.client.get(f"/measures/{token}/")

        assert token not in "\n".join(log.lines)

    def test_it_redacts_a_calendar_feed_token(self) -> None:
        token = new_token()
        with captured("django.request") as log:
            self.client.get(f"/calendar/{token}.ics")

        assert log.lines
        assert token not in "\n".join(log.lines)


class ServerLoggerTestCase(BaseTestCase):
    def test_it_redacts_an_access_line(self) -> None:
        # What django.core.servers.basehttp.WSGIRequestHandler.log_message writes.
        token = new_token()
        with captured("django.server") as log:
            logging.getLogger("django.server").info(
                '"%s" %s %s', f"GET /measures/{token}/ HTTP/1.1", "200", "1234"
            )

        assert log.lines == ['"GET /measures/[redacted]/ HTTP/1.1" 200 1234']

    def test_it_redacts_a_client_search(self) -> None:
        with captured("django.server") as log:
            logging.getLogger("django.server").info(
                '"%s" %s %s', "GET /staff/clients/?q=Halvorsen&page=2 HTTP/1.1", "200", "99"
            )

        assert log.lines == ['"GET /staff/clients/?q=[redacted]&page=2 HTTP/1.1" 200 99']


class RedactTestCase(BaseTestCase):
    def test_it_redacts_a_search_inside_a_next_url(self) -> None:
        line = "/staff/sign-in/?next=/staff/clients/%3Fq%3DHalvorsen%26page%3D2"

        assert redact(line) == "/staff/sign-in/?next=/staff/clients/%3Fq%3D[redacted]%26page%3D2"

    def test_it_redacts_a_token_inside_a_next_url(self) -> None:
        token = new_token()

        assert token not in redact(f"/staff/sign-in/?next=%2Fconsent%2F{token}%2F")

    def test_it_leaves_ordinary_paths_alone(self) -> None:
        for path in (
            "/consent/done/",
            "/staff/clients/12/",
            "/services/kap/",
            "/static/css/site.css",
        ):
            with self.subTest(path=path):
                assert redact(path) == path

    def test_it_keeps_a_record_it_cannot_format(self) -> None:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d", ("not a number",), None)

        assert RedactSecretsFilter().filter(record)
