"""Issue 14: the practice outcomes report is kept in the process until what it reads
changes (measures.outcomes.cache). The data version's token must change at every
insert, update and delete of each table the report reads, however it is made (the
ORM, a queryset's update(), SQL), and the report must show the change."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from clients.models import Client
from measures.models import OutcomesDataVersion, Response
from measures.outcomes import cache
from measures.outcomes.views import outcomes
from measures.tests.factories import give_dose, load_instruments, make_score
from pathways.testing import BaseTestCase, make_client, make_course
from treatment.models import Modality

UTC = dt.UTC
START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
# What the report reads (migration measures/0008's WATCHED): app label, model.
WATCHED = [
    ("measures", "Response"),
    ("measures", "Instrument"),
    ("treatment", "TreatmentCourse"),
    ("treatment", "TreatmentSession"),
    ("dosing", "DosingRecord"),
    ("dosing", "Administration"),
]


class KeptReportTests(BaseTestCase):
    person: Client
    latest: Response

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.person = make_client(first_name="Kept")
        course = make_course(cls.person, cls.therapist, modality=Modality.KAP)
        give_dose(course, dt.datetime(2026, 1, 10, 12, tzinfo=UTC))
        make_score(cls.person, "phq9", 18, dt.datetime(2026, 1, 5, 12, tzinfo=UTC))
        cls.latest = make_score(cls.person, "phq9", 6, dt.datetime(2026, 3, 5, 12, tzinfo=UTC))

    def setUp(self) -> None:
        cache.forget()

    def report_queries(self) -> int:
        with CaptureQueriesContext(connection) as captured:
            outcomes(start=START, end=END)
        return len(captured.captured_queries)

    def test_it_hands_back_the_kept_report_with_one_query_while_nothing_changed(self) -> None:
        first = outcomes(start=START, end=END)
        with self.assertNumQueries(1):  # the data version's token
            again = outcomes(start=START, end=END)
        self.assertIs(again, first)
        self.assertEqual(len(first.included), 1)

    def test_it_works_the_report_out_again_after_a_score_corrected_without_a_signal(
        self,
    ) -> None:
        before = outcomes(start=START, end=END)
        self.assertEqual(before.included[0].latest.total, 6)
        # A queryset's update() sends no signal; the trigger sees it all the same.
        Response.objects.filter(pk=self.latest.pk).update(total=9)

        after = outcomes(start=START, end=END)
        self.assertEqual(after.included[0].latest.total, 9)

    def test_it_shows_a_new_score_and_a_new_client(self) -> None:
        outcomes(start=START, end=END)
        other = make_client(first_name="Later")
        course = make_course(other, self.therapist, modality=Modality.KA_EMDR)
        give_dose(course, dt.datetime(2026, 2, 10, 12, tzinfo=UTC))
        make_score(other, "phq9", 20, dt.datetime(2026, 2, 1, 12, tzinfo=UTC))
        make_score(other, "phq9", 12, dt.datetime(2026, 4, 1, 12, tzinfo=UTC))

        self.assertEqual(len(outcomes(start=START, end=END).included), 2)

    def test_it_changes_the_token_at_every_write_to_each_table_the_report_reads(self) -> None:
        for app_label, name in WATCHED:
            model = apps.get_model(app_label, name)
            table = model._meta.db_table
            row = model.objects.order_by("pk").first()
            assert row is not None, name
            with self.subTest(table=table, write="update by SQL"):
                before = cache.data_version()
                with connection.cursor() as cursor:
                    cursor.execute(f"UPDATE {table} SET id = id WHERE id = %s", [row.pk])  # noqa: S608
                self.assertNotEqual(cache.data_version(), before)
            with self.subTest(table=table, write="delete and insert"):
                # The foreign keys are checked at commit, which a test never reaches:
                # the row can go and come back as it was.
                before = cache.data_version()
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {table} WHERE id = %s", [row.pk])  # noqa: S608
                deleted = cache.data_version()
                self.assertNotEqual(deleted, before)
                row.save(force_insert=True)
                self.assertNotEqual(cache.data_version(), deleted)

    def test_it_works_the_report_out_every_time_without_a_version_row(self) -> None:
        OutcomesDataVersion.objects.all().delete()
        full = self.report_queries()

        self.assertGreater(full, 1)
        self.assertEqual(self.report_queries(), full)

    def test_it_keeps_each_range_and_settings_apart(self) -> None:
        whole = outcomes(start=START, end=END)
        before_latest = outcomes(start=START, end=dt.date(2026, 2, 1))
        self.assertEqual(len(whole.included), 1)
        self.assertEqual(len(before_latest.included), 0)
        with override_settings(OUTCOMES_PHQ9_DENOMINATOR_MIN=19):
            self.assertIs(outcomes(start=START, end=END).included[0].in_denominator, False)
        self.assertIs(outcomes(start=START, end=END).included[0].in_denominator, True)
