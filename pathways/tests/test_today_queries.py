"""The Today page's queries do not grow with its rows (query counts are tests; timings
go in `make bench`)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from measures.models import SafetyAlert
from measures.tests.factories import make_response
from pathways.testing import BaseTestCase
from pathways.tests.support import add_front_desk, add_work

# Measured on SQLite: 20 (therapist), 21 (admin), 25 (intake, with more than ten
# requests and messages: a count each): the request's own (session, user, two
# factors, break-glass, the audit chain), one per section (two when it has more
# rows than it shows) and one for the navigation's counts. A ceiling catches an N+1.
CEILING = 28


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
                self.add_rows(4)
                many = self.count(user)

                self.assertEqual(few, many)
                self.assertLessEqual(many, CEILING)
