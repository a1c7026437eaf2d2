"""The export reads a fixed number of queries, however many responses the client has."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interop.bundle import client_bundle, record_resources
from interop.queries import client_record, client_records
from interop.tests.support import EXPORT_QUERIES, kap_record
from measures.models import Instrument
from measures.tests.factories import make_response
from pathways.testing import BaseTestCase, make_client, make_referral


class QueryCountTestCase(BaseTestCase):
    def queries_for_bundle(self) -> int:
        with CaptureQueriesContext(connection) as captured:
            client_bundle(client=self.kap_client)
        return len(captured)

    def test_it_reads_the_same_number_of_queries_for_2_and_20_responses(self) -> None:
        kap = kap_record(self.therapist, self.therapist2, self.prescriber, self.partner)
        self.kap_client = kap.client
        phq9 = Instrument.objects.get(code="phq9")
        # The KAP record has 2 responses (a PHQ-9 and a GAD-7).
        self.assertEqual(kap.client.measure_responses.count(), 2)
        with_two = self.queries_for_bundle()

        for day in range(18):
            make_response(kap.client, phq9, timezone.now() - dt.timedelta(days=day + 2), q9=1)
        with_twenty = self.queries_for_bundle()

        self.assertEqual(kap.client.measure_responses.count(), 20)
        self.assertEqual(with_twenty, with_two)
        self.assertEqual(with_two, EXPORT_QUERIES)


class BatchTestCase(BaseTestCase):
    """The practice's bulk export reads its clients by batch (interop.queries.client_records):
    the same queries for a batch as for one client, and each record as read alone."""

    def setUp(self) -> None:
        super().setUp()
        kap = kap_record(self.therapist, self.therapist2, self.prescriber, self.partner)
        other = make_client(first_name="Dana", last_name="Scully")
        make_referral(other, self.partner2, self.therapist2)
        make_response(other, Instrument.objects.get(code="phq9"), timezone.now(), q9=1)
        self.clients = [kap.client, other, make_client(first_name="Empty", last_name="Record")]

    def test_it_reads_a_batch_in_the_queries_of_one_client(self) -> None:
        with CaptureQueriesContext(connection) as captured:
            client_records(self.clients)

        self.assertEqual(len(captured), EXPORT_QUERIES)

    def test_it_reads_each_record_of_a_batch_as_alone(self) -> None:
        at = timezone.now()
        batch = client_records(self.clients)

        for client in self.clients:
            with self.subTest(client=client.pk):
                alone = [r.model_dump_json() for r in record_resources(client_record(client), at)]
                together = [r.model_dump_json() for r in record_resources(batch[client.pk], at)]
                self.assertEqual(together, alone)
                self.assertIn(f"client-{client.pk}", together[0])
