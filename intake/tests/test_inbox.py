from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from common import crypto
from intake.models import AppointmentRequest, RequestStatus
from pathways.testing import BaseTestCase, make_request, make_service

URL = "/staff/requests/"
PRACTICE_TZ = ZoneInfo("America/New_York")


def received_at(appt: AppointmentRequest, when: datetime) -> None:
    AppointmentRequest.objects.filter(pk=appt.pk).update(created_at=when)


class InboxTestCase(BaseTestCase):
    def shown(self, query: str = "") -> list[int]:
        response = self.client.get(URL + query)
        assert response.status_code == 200
        return [appt.pk for appt in response.context["page"]]

    def test_it_lists_requests_newest_first(self) -> None:
        now = timezone.now()
        old = make_request(first_name="Olga")
        newest = make_request(first_name="Nina")
        middle = make_request(first_name="Mila")
        received_at(old, now - timedelta(days=3))
        received_at(newest, now - timedelta(hours=1))
        received_at(middle, now - timedelta(days=1))
        self.client.force_login(self.intake)

        response = self.client.get(URL)

        assert [a.pk for a in response.context["page"]] == [newest.pk, middle.pk, old.pk]
        self.assertContains(response, "Nina Example")
        self.assertContains(response, f'href="/staff/requests/{newest.pk}/"')

    def test_it_filters_by_status(self) -> None:
        make_request()
        contacted = make_request(status=RequestStatus.CONTACTED)
        self.client.force_login(self.intake)

        assert self.shown("?status=contacted") == [contacted.pk]

    def test_it_filters_by_service(self) -> None:
        emdr = make_service("emdr")
        make_request(service=self.service)
        wanted = make_request(service=emdr)
        make_request()
        self.client.force_login(self.intake)

        assert self.shown(f"?service={emdr.pk}") == [wanted.pk]

    def test_it_filters_by_received_dates_in_the_practice_time_zone(self) -> None:
        before = make_request()
        first_day = make_request()
        late_last_day = make_request()
        after = make_request()
        received_at(before, datetime(2026, 3, 10, 23, 59, tzinfo=PRACTICE_TZ))
        received_at(first_day, datetime(2026, 3, 11, 0, 1, tzinfo=PRACTICE_TZ))
        # 23:30 in New York is already the next day in UTC.
        received_at(late_last_day, datetime(2026, 3, 12, 23, 30, tzinfo=PRACTICE_TZ))
        received_at(after, datetime(2026, 3, 13, 0, 1, tzinfo=PRACTICE_TZ))
        self.client.force_login(self.intake)

        shown = self.shown("?received_from=2026-03-11&received_to=2026-03-12")

        assert shown == [late_last_day.pk, first_day.pk]
        assert self.shown("?received_from=2026-03-13") == [after.pk]
        assert self.shown("?received_to=2026-03-10") == [before.pk]

    def test_it_shows_an_error_for_an_inverted_date_range(self) -> None:
        make_request()
        self.client.force_login(self.intake)

        response = self.client.get(URL + "?received_from=2026-03-12&received_to=2026-03-11")

        assert response.status_code == 200
        self.assertContains(response, "The end date is before the start date.")

    def test_it_shows_an_error_for_a_garbage_date(self) -> None:
        self.client.force_login(self.intake)

        for query in ("?received_from=yesterday", "?received_to=2026-13-45", "?service=999"):
            with self.subTest(query=query):
                response = self.client.get(URL + query)
                assert response.status_code == 200
                assert response.context["form"].errors
                self.assertContains(response, 'class="error"')

    def test_it_paginates_25_to_a_page(self) -> None:
        for i in range(30):
            make_request(first_name=f"Person{i:02d}")
        self.client.force_login(self.intake)

        first = self.client.get(URL)
        second = self.client.get(URL + "?page=2")

        assert len(first.context["page"]) == 25
        assert len(second.context["page"]) == 5
        self.assertContains(first, "30 requests")
        self.assertContains(first, "Page 1 of 2")
        self.assertContains(first, 'href="?page=2"')
        pages = {a.pk for a in first.context["page"]} | {a.pk for a in second.context["page"]}
        assert len(pages) == 30

    def test_it_keeps_the_filters_in_the_page_links(self) -> None:
        for _ in range(26):
            make_request(status=RequestStatus.CONTACTED)
        self.client.force_login(self.intake)

        response = self.client.get(URL + "?status=contacted")

        self.assertContains(response, "status=contacted&amp;page=2")

    def test_it_shows_a_therapist_only_their_requests(self) -> None:
        mine = make_request(first_name="Mine", assigned_to=self.therapist)
        make_request(first_name="Theirs", assigned_to=self.therapist2)
        make_request(first_name="Nobodys")
        self.client.force_login(self.therapist)

        response = self.client.get(URL)

        assert [a.pk for a in response.context["page"]] == [mine.pk]
        self.assertNotContains(response, "Theirs")
        self.assertNotContains(response, "Nobodys")

    def test_it_writes_an_audit_entry(self) -> None:
        make_request()
        make_request()
        self.client.force_login(self.intake)

        self.client.get(URL, REMOTE_ADDR="192.0.2.9")

        event = AuditEvent.objects.get(action="request.list")
        assert event.actor == self.intake
        assert event.ip == "192.0.2.9"
        assert event.detail == {"page": 1, "count": 2}

    def test_it_reads_no_reason_for_the_list(self) -> None:
        # The list never shows a request's reason (free text, encrypted): not decrypted.
        make_request(first_name="Rhea")
        make_request(first_name="Rosa")
        self.client.force_login(self.intake)

        with mock.patch("common.fields.decrypt_str", wraps=crypto.decrypt_str) as decrypt:
            response = self.client.get(URL)

        self.assertContains(response, "Rhea Example")
        assert decrypt.call_count == 0, decrypt.call_args_list

    def test_it_keeps_the_query_count_flat_as_rows_grow(self) -> None:
        emdr = make_service("emdr")

        def add(n: int) -> None:
            for i in range(n):
                make_request(service=emdr, assigned_to=self.therapist, first_name=f"P{i}")

        add(5)
        self.client.force_login(self.intake)
        with CaptureQueriesContext(connection) as five:
            self.client.get(URL)
        add(20)

        with self.assertNumQueries(len(five)):
            response = self.client.get(URL)

        assert len(response.context["page"]) == 25
