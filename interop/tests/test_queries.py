"""The export reads a fixed number of queries, however many responses the client has."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interop.bundle import client_bundle
from interop.tests.support import kap_record
from measures.models import Instrument
from measures.tests.factories import make_response
from pathways.testing import BaseTestCase

# One query per kind of row (15, interop.queries.client_record) and one for the staff
# they name.
EXPORT_QUERIES = 16


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
