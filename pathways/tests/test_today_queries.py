"""The Today page's queries do not grow with its rows (query counts are tests; timings
go in `make bench`)."""

from __future__ import annotations

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.actor import Actor
from accounts.models import Authenticator, User
from accounts.tests.support import sign_in
from clients.breakglass import break_glass_open
from clients.queries import clients_visible_to, grants_of_this_request
from measures.models import SafetyAlert
from measures.tests.factories import make_response
from pathways.testing import BaseTestCase, make_client, make_grant, name_for_break_glass
from pathways.tests.support import add_front_desk, add_work
from pathways.today import LIMIT

# Measured on SQLite with more than ten rows in every section, signed in with the
# password only: 17 (therapist), 18 (admin), 17 (intake): the request's own (session,
# user, two factors, break-glass, the audit chain), one per section (its rows, each
# carrying the section's count: common.sections.first_rows) and one for the
# navigation's counts. They were 21, 24 and 22 with a count query per section. A
# ceiling catches an N+1 (a field the page shows but its read leaves out, such as the
# safety alerts' DASHBOARD_FIELDS, is one query per row). A session verified with a
# device reads fewer (RequestReadsTests).
CEILING = 22


class TodayQueryTests(BaseTestCase):
    def count(self, user: User) -> int:
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/staff/")
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def add_rows(self, n: int) -> None:
        work = add_work(self.therapist, self.prescriber, self.partner, n=n)
        add_front_desk(n)
        for client in work.clients:
            answer = make_response(client, q9=2)
            SafetyAlert.objects.create(
                client=client, instrument=answer.instrument, response=answer, item=9, value=2
            )

    def test_the_page_makes_as_many_queries_with_more_rows(self) -> None:
        for user in (self.therapist, self.admin, self.intake):
            with self.subTest(user=user.username):
                self.add_rows(1)
                few = self.count(user)
                # Past the LIMIT (10) rows a section shows: its count is still one query.
                self.add_rows(LIMIT + 1)
                many = self.count(user)

                self.assertEqual(few, many)
                self.assertLessEqual(many, CEILING)


def touching(queries: CaptureQueriesContext, table: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]]


class RequestReadsTests(BaseTestCase):
    """What every staff request reads is read once, however many sections ask (issue 14)."""

    def test_it_reads_the_break_glass_grants_once_for_every_section(self) -> None:
        # Theo holds emergency access to Wren, Tess's client, who has an open safety alert.
        name_for_break_glass(self.therapist)
        wren = make_client(first_name="Wren", assigned_therapist=self.therapist2)
        make_grant(self.therapist, wren)
        answer = make_response(wren, q9=2)
        SafetyAlert.objects.create(
            client=wren, instrument=answer.instrument, response=answer, item=9, value=2
        )
        self.client.force_login(self.therapist)

        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/staff/")

        self.assertContains(response, "Wren")
        # clients.middleware's two: is a grant unexpired, and is it in force. The five
        # sections and the navigation's counts that ask after them read no more.
        assert len(touching(queries, "clients_breakglassgrant")) == 2

    def test_it_sees_a_grant_opened_during_the_request(self) -> None:
        name_for_break_glass(self.therapist)
        wren = make_client(first_name="Wren", assigned_therapist=self.therapist2)
        actor = Actor.for_user(self.therapist, "127.0.0.1")

        with grants_of_this_request(self.therapist, []):
            assert not clients_visible_to(self.therapist).filter(pk=wren.pk).exists()
            break_glass_open(actor=actor, client=wren, reason="Crisis call overnight, Tess away.")
            assert clients_visible_to(self.therapist).filter(pk=wren.pk).exists()

    def test_it_reads_the_authenticator_once_for_a_verified_session(self) -> None:
        device = Authenticator.objects.create(user=self.therapist, name="phone", confirmed=True)
        sign_in(self.client, self.therapist, device)

        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/staff/")

        assert response.status_code == 200
        # OTPMiddleware's read of the session's device; role_required's two questions
        # (is a code owed, is a device to be set up) and the page's own are answered
        # from it.
        assert len(touching(queries, "accounts_authenticator")) == 1

    @override_settings(REQUIRE_2FA=True)
    def test_it_still_asks_for_the_code_or_a_device(self) -> None:
        Authenticator.objects.create(user=self.therapist, name="phone", confirmed=True)
        self.client.force_login(self.therapist)  # the password only
        assert self.client.get("/staff/")["Location"].startswith("/staff/sign-in/verify/")

        Authenticator.objects.create(user=self.intake, name="phone", confirmed=False)
        self.client.force_login(self.intake)  # no confirmed device
        assert self.client.get("/staff/")["Location"].startswith("/staff/two-factor/")
