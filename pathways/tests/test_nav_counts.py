"""The counts beside the staff navigation (pathways.context_processors): one query,
for practice users only, read only when a page shows the navigation."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.tests.factories import make_grant, name_for_break_glass
from measures.models import SafetyAlert
from measures.tests.factories import make_response
from pathways import context_processors
from pathways.context_processors import nav_counts, staff_counts
from pathways.testing import BaseTestCase, request_for
from pathways.tests.support import add_front_desk, add_work


class NavCountsBase(BaseTestCase):
    """Two therapists' work for today, the front desk's, and one open safety alert."""

    def setUp(self) -> None:
        super().setUp()
        self.mine = add_work(self.therapist, self.prescriber, self.partner, n=2)
        self.other = add_work(
            self.therapist2, self.prescriber, self.partner, n=1, first_name="Otto"
        )
        add_front_desk(n=3)
        answer = make_response(self.mine.clients[0], q9=2)
        SafetyAlert.objects.create(
            client=self.mine.clients[0],
            instrument=answer.instrument,
            response=answer,
            item=9,
            value=2,
        )


class NavCountsTestCase(NavCountsBase):
    def test_it_counts_the_practice_for_intake_in_one_query(self) -> None:
        with self.assertNumQueries(1):
            counts = nav_counts(self.intake)

        assert counts == {
            "requests": 3,
            "messages": 3,
            "alerts": 1,
            "appointments": 3,
            "notes": 0,  # intake does not sign notes
            "today": 3,
        }

    def test_it_counts_a_therapists_own_today(self) -> None:
        counts = nav_counts(self.therapist)

        assert "requests" not in counts
        assert (counts["appointments"], counts["notes"], counts["today"]) == (2, 2, 4)
        assert counts["alerts"] == 1  # every clinician sees every open alert

    def test_it_leaves_out_appointments_already_run(self) -> None:
        self.mine.appointments[0].status = "completed"
        self.mine.appointments[0].save()

        assert nav_counts(self.therapist)["appointments"] == 1

    def test_it_shows_the_counts_as_badges_in_the_navigation(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get("/staff/clients/")

        self.assertContains(
            response,
            '<span class="nav-count"><span class="visually-hidden">: </span>3'
            '<span class="visually-hidden"> new</span></span>',
            html=True,
        )
        self.assertContains(response, "nav-count nav-count-alert")

    def test_it_gives_nothing_to_a_visitor_or_a_prescriber(self) -> None:
        visitor = request_for(self.intake)
        visitor.user = AnonymousUser()  # type: ignore[assignment]
        for request in (visitor, request_for(self.prescriber)):
            with (
                self.subTest(user=str(request.user)),
                CaptureQueriesContext(connection) as queries,
            ):
                assert staff_counts(request) == {}
                assert len(queries) == 0

    def test_it_reads_nothing_until_a_page_shows_the_navigation(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            context = staff_counts(request_for(self.intake))
        assert len(queries) == 0

        with self.assertNumQueries(1):
            assert context["nav_counts"]["alerts"] == 1

    def test_it_shows_no_counts_on_the_public_site(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get("/")

        self.assertNotContains(response, "nav-count")


class CompiledCountsTests(NavCountsBase):
    """The counts' SQL is compiled once per user and day (`_compiled`), and runs on
    every page: nothing kept may make a count stale."""

    def test_it_counts_afresh_on_every_page(self) -> None:
        assert nav_counts(self.intake)["requests"] == 3  # compiled and kept

        add_front_desk(n=1)
        SafetyAlert.objects.update(acknowledged_at=timezone.now())

        counts = nav_counts(self.intake)
        assert (counts["requests"], counts["messages"], counts["alerts"]) == (4, 4, 0)

    def test_it_counts_a_clients_notes_once_a_grant_opens_and_not_after_it_ends(self) -> None:
        named = name_for_break_glass(self.therapist)
        assert nav_counts(named)["notes"] == 2  # their own two clients

        grant = make_grant(named, self.other.clients[0])  # Otto's note is unsigned too
        assert nav_counts(named)["notes"] == 3

        grant.ended_at = timezone.now()
        grant.save()
        assert nav_counts(named)["notes"] == 2

    def test_it_counts_the_day_it_is(self) -> None:
        assert nav_counts(self.therapist)["appointments"] == 2  # today's, compiled

        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        with mock.patch("django.utils.timezone.localdate", return_value=tomorrow):
            assert nav_counts(self.therapist)["appointments"] == 0

    def test_it_keeps_one_compiled_query_per_user_and_day(self) -> None:
        context_processors._COMPILED.clear()
        nav_counts(self.intake)
        nav_counts(self.intake)
        nav_counts(self.therapist)

        assert len(context_processors._COMPILED) == 2
