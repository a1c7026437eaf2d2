"""The portal home reads through the indexes made for it (issue 14): the prescriptions
ending soon from (status, valid_to), the referral list in (partner, sent_at, id)
order, so a page stops after its rows instead of sorting every referral of the partner
with its release check, and the dosing sessions of the week by their ids, found through
the sessions' own partial indexes and the booked appointments' (starts_at, session),
instead of every session of the partner with its release check. SQLite's plan (EXPLAIN QUERY
PLAN); PostgreSQL weighs its statistics, which `make bench` seeds
(pathways/tests/test_explain_pages.py checks the pages issue 14 names there, and the
portal home)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import ReferralStatus
from pathways.testing import BaseTestCase, make_client, make_prescription, make_referral

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="EXPLAIN QUERY PLAN is SQLite's; PostgreSQL's plan follows its statistics",
)


class PortalPlanTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        today = timezone.localdate()
        for n in range(3):
            client = make_client(first_name=f"Rx{n}", assigned_therapist=self.therapist)
            referral = make_referral(
                client, self.partner, self.therapist, status=ReferralStatus.ELIGIBLE
            )
            make_prescription(referral, self.prescriber, valid_to=today + dt.timedelta(days=n))
        self.client.force_login(self.prescriber)

    def plan_of(self, marker: str) -> str:
        with CaptureQueriesContext(connection) as captured:
            assert self.client.get("/partner/").status_code == 200
        found = [q["sql"] for q in captured.captured_queries if marker in q["sql"]]
        assert found, marker
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {found[0]}")
            return "\n".join(str(row[-1]) for row in cursor.fetchall())

    def test_it_finds_the_prescriptions_ending_soon_through_their_index(self) -> None:
        plan = self.plan_of('"prescriptions_prescription"."valid_to" >=')

        assert "USING INDEX rx_status_valid_to" in plan, plan

    def test_it_reads_the_referral_list_in_index_order(self) -> None:
        plan = self.plan_of('ORDER BY "partners_referral"."sent_at" DESC')

        assert "USING INDEX referral_partner_sent" in plan, plan
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan

    def test_it_reads_the_weeks_sessions_by_their_ids(self) -> None:
        plan = self.plan_of('"treatment_treatmentsession"."id" IN (SELECT')

        # The sessions are read by id from the week's list, never walked.
        assert "SEARCH treatment_treatmentsession USING INTEGER PRIMARY KEY" in plan, plan
        # Each part of the week through its own index: started, booked, planned.
        for index in (
            "INDEX session_dosing_started_idx (started_at>? AND started_at<?)",
            "COVERING INDEX appt_session_start_idx (starts_at>? AND starts_at<?)",
            "INDEX session_dosing_planned_idx (planned_date>? AND planned_date<?)",
        ):
            assert index in plan, plan
