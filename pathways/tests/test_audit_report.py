"""The audit report at /staff/audit/: filters, pages, the CSV export behind a
re-authentication, and both audited (pathways/audit_report.py)."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from accounts.actor import Actor
from accounts.reauth import PASSWORD_AT
from audit.chain import verify_chain
from audit.models import AuditEvent
from audit.services import log_action
from pathways.audit_report import PAGE_SIZE
from pathways.testing import BaseTestCase, make_client

URL = "/staff/audit/"
EXPORT = "/staff/audit/export.csv"


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()  # type: ignore[arg-type]  # sync view: bytes
    return list(csv.DictReader(io.StringIO(text)))


class AuditReportTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.morgan = make_client(first_name="Morgan", last_name="Ellis")
        self.jamie = make_client(first_name="Jamie", last_name="Fox")
        therapist = Actor.for_user(self.therapist, "192.0.2.5")
        log_action(therapist, "client.view", self.morgan, client=self.morgan)
        log_action(therapist, "client.view", self.jamie, client=self.jamie)
        log_action(Actor.for_user(self.intake), "request.list")
        self.client.force_login(self.admin)

    def get(self, **params: str) -> HttpResponse:
        response = self.client.get(URL, params)
        assert isinstance(response, HttpResponse)
        return response

    def reauthenticate(self) -> None:
        session = self.client.session
        session[PASSWORD_AT] = time.time()
        session.save()

    def last(self, action: str) -> AuditEvent:
        return AuditEvent.objects.filter(action=action).latest("id")

    # --- the report ------------------------------------------------------------

    def test_it_lists_the_last_30_days_by_default(self) -> None:
        response = self.get()

        assert response.status_code == 200
        self.assertContains(response, "client.view", count=2)
        self.assertContains(response, "request.list")
        self.assertContains(response, "Ellis, Morgan")
        assert "no-store" in response["Cache-Control"]

    def test_it_filters_by_user_and_action(self) -> None:
        response = self.get(user="THERAPIST", action="client.")

        self.assertContains(response, "client.view", count=2)
        self.assertNotContains(response, "request.list")

    def test_it_finds_a_client_by_name(self) -> None:
        response = self.get(client="ellis")

        self.assertContains(response, "Ellis, Morgan")
        self.assertNotContains(response, "Fox, Jamie")
        detail = self.last("audit.report.view").detail
        assert detail["filters"]["clients"] == [self.morgan.pk]
        # The name typed is PHI: the trail keeps the ids it resolved to, not the name.
        assert "ellis" not in str(detail).lower()

    def test_it_says_when_no_client_has_the_name(self) -> None:
        response = self.get(client="Nobody Here")

        assert response.status_code == 200
        self.assertContains(response, "No client has that name.")
        self.assertContains(response, 'value="Nobody Here"')
        self.assertNotContains(response, "client.view")

    def test_it_filters_by_period(self) -> None:
        # Entries are written now (the trail cannot be backdated): ask for days before.
        yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
        week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()

        before = self.get(start=week_ago, end=yesterday)
        today = self.get(start=timezone.localdate().isoformat())

        self.assertContains(before, "0 entries")
        self.assertContains(today, "client.view", count=2)
        assert self.last("audit.report.view").detail["filters"]["start"] == (
            timezone.localdate().isoformat()
        )

    def test_it_answers_bad_dates_with_a_message_never_a_500(self) -> None:
        cases = {
            "start=not-a-date": "Enter a valid date",
            "start=0001-01-01": "Enter a date from",
            "end=9999-12-31": "Enter a date from",
            "start=2026-11-20&end=2026-11-10": "before its start",
        }
        for query, message in cases.items():
            with self.subTest(query=query):
                response = self.client.get(f"{URL}?{query}")

                assert response.status_code == 200
                self.assertContains(response, message)
                self.assertContains(response, "Correct the filters")
                assert self.last("audit.report.view").detail == {"valid": False}

    def test_it_pages_the_entries(self) -> None:
        for _ in range(PAGE_SIZE):
            log_action(Actor.system(), "request.view")

        first, second = self.get(), self.get(page="2")

        self.assertContains(first, "Page 1 of 2")
        self.assertContains(second, "Page 2 of 2")
        self.assertContains(second, "Ellis, Morgan")
        assert self.last("audit.report.view").detail["page"] == 2

    def test_it_audits_each_view_and_keeps_the_chain(self) -> None:
        self.get(user="therapist")

        event = self.last("audit.report.view")
        assert event.actor == self.admin
        assert event.detail["filters"]["user"] == "therapist"
        assert event.detail["count"] == 2
        assert verify_chain().ok

    def test_it_refuses_everyone_but_the_admin(self) -> None:
        for user in (self.intake, self.therapist, self.prescriber):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                assert self.client.get(URL).status_code == 403
                assert self.client.get(EXPORT).status_code == 403

    # --- the export ------------------------------------------------------------

    def test_the_export_asks_for_the_password_first(self) -> None:
        response = self.client.get(EXPORT, {"user": "therapist"})

        assert response.status_code == 302
        assert response["Location"].startswith("/staff/sign-in/confirm/?next=")
        assert not AuditEvent.objects.filter(action="audit.report.export").exists()

    def test_the_export_asks_again_after_the_re_authentication_is_stale(self) -> None:
        session = self.client.session
        session[PASSWORD_AT] = time.time() - 6 * 60
        session.save()

        assert self.client.get(EXPORT).status_code == 302

    def test_it_exports_the_filtered_rows_and_audits_the_export(self) -> None:
        self.reauthenticate()

        response = self.client.get(EXPORT, {"client": "Ellis"})

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith("attachment;")
        rows = csv_rows(response)
        assert [(r["action"], r["client_id"], r["ip"]) for r in rows] == [
            ("client.view", str(self.morgan.pk), "192.0.2.5")
        ]
        event = self.last("audit.report.export")
        assert event.actor == self.admin
        assert event.detail == {
            "filters": {
                "start": (timezone.localdate() - timedelta(days=30)).isoformat(),
                "end": timezone.localdate().isoformat(),
                "user": "",
                "clients": [self.morgan.pk],
                "action": "",
            },
            "count": 1,
        }

    def test_the_export_keeps_a_cell_from_running_as_a_formula(self) -> None:
        self.reauthenticate()
        forged_name = "=HYPERLINK(1)"
        log_action(Actor.system(), "x.y", detail={"name": forged_name})

        rows = csv_rows(self.client.get(EXPORT, {"action": "x.y"}))

        assert rows[0]["detail"].startswith('{"name"')
        assert all(not value.startswith("=") for row in rows for value in row.values())

    def test_a_bad_export_query_shows_the_report_with_its_message(self) -> None:
        self.reauthenticate()

        response = self.client.get(EXPORT, {"start": "2026-13-45"})

        assert response.status_code == 200
        self.assertContains(response, "Enter a valid date")
        assert not AuditEvent.objects.filter(action="audit.report.export").exists()
