"""The partner portal's list: the referrals to the prescriber's organisation, and no others."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from partners.models import Referral, ReferralStatus
from partners.portal_views import HOME_LIMIT
from pathways.testing import BaseTestCase, make_client, make_referral, make_user
from pathways.tests.support import add_work
from prescriptions.models import Prescription

URL = "/partner/"


class PortalHomeTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ours = make_client(
            first_name="Ottilie",
            last_name="Brennan",
            date_of_birth=dt.date(1984, 5, 6),
            assigned_therapist=self.therapist,
        )
        self.referral = make_referral(
            self.ours,
            self.partner,
            self.therapist,
            status=ReferralStatus.SCHEDULED,
            evaluation_at=dt.datetime(2026, 12, 3, 15, 30, tzinfo=dt.UTC),
        )
        self.theirs = make_client(first_name="Quentin", last_name="Marchetti")
        make_referral(self.theirs, self.partner2, self.therapist)
        # A client of the practice who was never referred.
        make_client(first_name="Ursula", last_name="Nakamura")

    def test_it_lists_the_referrals_to_the_prescribers_organisation(self) -> None:
        self.client.force_login(self.prescriber)

        response = self.client.get(URL)

        assert response.status_code == 200
        self.assertContains(response, "<h1>Referrals to Blue Ridge Psychiatry</h1>", html=True)
        assert [r.pk for r in response.context["page"]] == [self.referral.pk]
        self.assertContains(
            response,
            f'<a href="/partner/referrals/{self.referral.pk}/">Ottilie Brennan</a>',
            html=True,
        )
        for text in ("1984-05-06", "Evaluation scheduled", "2026-12-03 10:30 EST"):
            self.assertContains(response, text)
        for name in ("Quentin", "Marchetti", "Ursula", "Nakamura"):
            self.assertNotContains(response, name)

    def test_it_sends_as_many_queries_past_the_rows_a_section_shows(self) -> None:
        # "Waiting for you" shows HOME_LIMIT rows and counts the rest: one query each,
        # however many there are (issue 14 §4).
        self.client.force_login(self.prescriber)
        with CaptureQueriesContext(connection) as few:
            assert self.client.get(URL).status_code == 200
        for n in range(HOME_LIMIT + 1):
            make_referral(make_client(first_name=f"Wait{n}"), self.partner, self.therapist)
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(URL)

        waiting = response.context["sections"][0]
        assert (len(waiting.rows), waiting.count) == (HOME_LIMIT, HOME_LIMIT + 2)
        assert len(many) == len(few)

    def test_it_sends_as_many_queries_with_more_rows_in_every_section(self) -> None:
        # Each section reads only the fields its row shows (HOME_FIELDS, in the partners,
        # dosing and prescriptions apps): one the row needs and the read leaves out would
        # be a query per row, and the page would send more queries with more rows.
        self.client.force_login(self.prescriber)

        def count() -> tuple[int, dict[str, int]]:
            Prescription.objects.update(valid_to=timezone.localdate() + dt.timedelta(days=3))
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(URL)
            shown = {s.key: len(s.rows) for s in response.context["sections"]}
            self.assertContains(response, "Session summary")
            return len(queries), shown

        add_work(self.therapist, self.prescriber, self.partner, n=1, first_name="Few")
        few, shown_few = count()
        add_work(self.therapist, self.prescriber, self.partner, n=HOME_LIMIT, first_name="More")
        many, shown_many = count()

        assert shown_few == {"waiting": 1, "sessions": 1, "expiring": 1}
        assert shown_many == {"waiting": 1, "sessions": HOME_LIMIT, "expiring": HOME_LIMIT}
        assert many == few

    def test_it_lists_newest_first(self) -> None:
        newer = make_referral(make_client(first_name="Nadia"), self.partner, self.therapist)
        Referral.objects.filter(pk=self.referral.pk).update(
            sent_at=newer.sent_at - dt.timedelta(days=2)
        )
        self.client.force_login(self.prescriber)

        response = self.client.get(URL)

        assert [r.pk for r in response.context["page"]] == [newer.pk, self.referral.pk]

    def test_it_filters_open_and_closed(self) -> None:
        closed = make_referral(
            make_client(first_name="Clara"),
            self.partner,
            self.therapist,
            status=ReferralStatus.CLOSED,
        )
        self.client.force_login(self.prescriber)

        def listed(query: str) -> set[int]:
            return {r.pk for r in self.client.get(URL + query).context["page"]}

        assert listed("") == {self.referral.pk}
        assert listed("?show=open") == {self.referral.pk}
        assert listed("?show=closed") == {closed.pk}
        assert listed("?show=all") == {self.referral.pk, closed.pk}
        assert listed("?show=<script>") == {self.referral.pk}

    def test_it_pages_the_list(self) -> None:
        for number in range(25):
            make_referral(make_client(first_name=f"Person{number}"), self.partner, self.therapist)
        self.client.force_login(self.prescriber)

        first = self.client.get(URL)
        second = self.client.get(URL + "?show=open&page=2")
        beyond = self.client.get(URL + "?show=open&page=99")

        assert len(first.context["page"]) == 25
        self.assertContains(first, 'href="?show=open&amp;page=2"')
        assert len(second.context["page"]) == 1
        assert beyond.status_code == 200

    def test_it_shows_the_second_partner_only_its_own(self) -> None:
        self.client.force_login(self.prescriber2)

        response = self.client.get(URL)

        self.assertContains(response, "Tidewater Medication Management")
        self.assertContains(response, "Quentin Marchetti")
        self.assertNotContains(response, "Ottilie")

    def test_it_shows_a_prescriber_without_a_partner_nothing(self) -> None:
        make_user("loose", Role.PRESCRIBER)
        self.client.force_login(make_user("unlinked", Role.PRESCRIBER))

        response = self.client.get(URL)

        assert response.status_code == 200
        self.assertContains(response, "not linked to a partner organisation")
        for name in ("Ottilie", "Quentin"):
            self.assertNotContains(response, name)

    def test_it_never_links_into_the_staff_pages(self) -> None:
        self.client.force_login(self.prescriber)

        response = self.client.get(URL)

        self.assertNotContains(response, 'href="/staff/')

    def test_it_writes_an_audit_entry(self) -> None:
        self.client.force_login(self.prescriber)

        self.client.get(URL + "?show=all")

        audit = AuditEvent.objects.get(action="referral.list")
        assert audit.actor == self.prescriber
        # With the home's sections (issue 11 §1): their row ids and counts, no names.
        assert audit.detail == {
            "page": 1,
            "count": 1,
            "show": "all",
            "ended": 0,
            "waiting": [self.referral.pk],
            "waiting_count": 1,
            "sessions": [],
            "sessions_count": 0,
            "expiring": [],
            "expiring_count": 0,
        }

    def test_it_refuses_practice_staff(self) -> None:
        for user in (self.admin, self.intake, self.therapist):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                assert self.client.get(URL).status_code == 403
