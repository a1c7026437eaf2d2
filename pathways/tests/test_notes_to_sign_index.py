"""The notes still to sign (pathways.today.notes_to_sign: the Today page and the
navigation's count on every staff page) are read through the partial index of
dosing/migrations/0005, not by scanning every note of the practice (issue 14): 6 ms a
page at 10,000 clients on PostgreSQL before it, well under 1 ms after."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction

from accounts.models import User
from pathways.testing import BaseTestCase
from pathways.today import notes_to_sign


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="EXPLAIN (FORMAT JSON) and enable_seqscan, as this test reads them, are PostgreSQL's",
)
class NotesToSignIndexTestCase(BaseTestCase):
    def plan_of(self, user: User) -> str:
        sql, params = notes_to_sign(user).query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            (found,) = cursor.fetchone()
        return json.dumps(found)

    def test_it_reads_the_practices_unsigned_notes_through_the_partial_index(self) -> None:
        assert "note_unsigned_idx" in self.plan_of(self.admin)

    def test_it_reads_a_therapists_unsigned_notes_through_the_partial_index(self) -> None:
        assert "note_unsigned_idx" in self.plan_of(self.therapist)
