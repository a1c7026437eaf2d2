"""The de-identified CSV export of the outcomes report."""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING

from django.urls import reverse

from audit.models import AuditEvent
from measures.outcomes.views import CSV_HEADER
from measures.tests.test_report import OutcomesTestCase
from pathways.testing import reauthenticate

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

URL = reverse("outcomes:export")
RANGE = {"from": "2026-01-01", "to": "2026-12-31"}


class ExportTests(OutcomesTestCase):
    def export(self) -> tuple[TestResponse, list[dict[str, str]], str]:
        self.client.force_login(self.admin)
        reauthenticate(self.client)
        response = self.client.get(URL, RANGE)
        text = response.content.decode()
        return response, list(csv.DictReader(io.StringIO(text))), text

    def test_it_is_an_attachment_that_is_not_cached(self) -> None:
        response, _rows, _text = self.export()

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertIn("no-store", response["Cache-Control"])

    def test_it_has_the_header_and_one_row_per_included_course_and_instrument(self) -> None:
        _response, rows, text = self.export()

        self.assertEqual(text.splitlines()[0], ",".join(CSV_HEADER))
        self.assertEqual(len(rows), 5)
        kap = sorted(
            (int(r["baseline_total"]), int(r["latest_total"]), r["response"], r["remission"])
            for r in rows
            if (r["modality"], r["instrument"]) == ("KAP", "PHQ-9")
        )
        self.assertEqual(kap, [(12, 4, "yes", "yes"), (16, 10, "no", "no"), (20, 8, "yes", "no")])
        pcl5 = next(r for r in rows if r["instrument"] == "PCL-5")
        self.assertEqual(pcl5["modality"], "KA-EMDR")
        self.assertEqual(pcl5["course"], "2")  # Dee's second course
        kap_rows = [r for r in rows if r["modality"] == "KAP"]
        self.assertEqual(
            {(r["course"], r["in_response_denominator"]) for r in kap_rows}, {("1", "yes")}
        )
        self.assertEqual((pcl5["change"], pcl5["days_between"]), ("-20", "59"))
        self.assertEqual((pcl5["response"], pcl5["remission"]), ("", ""))  # no such rule

    def test_it_holds_no_names_emails_birth_dates_ids_or_exact_dates(self) -> None:
        _response, rows, text = self.export()

        for client in [*self.kap, self.emdr]:
            for value in (client.first_name, client.last_name, client.email):
                self.assertNotIn(value, text)
        self.assertIsNone(re.search(r"\d{4}-\d{2}-\d{2}", text))
        self.assertIsNone(re.search(r"\d{1,2}/\d{1,2}/\d{2,4}", text))
        for row in rows:
            self.assertRegex(row["pseudonym"], r"^P-[0-9a-f]{8}$")
        ids = {str(c.pk) for c in [*self.kap, self.emdr]}
        self.assertFalse(ids & {row["pseudonym"] for row in rows})
        self.assertEqual(set(rows[0]), set(CSV_HEADER))

    def test_one_client_keeps_one_pseudonym_within_an_export_but_not_across(self) -> None:
        _r, first, _t = self.export()
        _r, second, _t = self.export()

        emdr_first = {r["pseudonym"] for r in first if r["modality"] == "KA-EMDR"}
        self.assertEqual(len(emdr_first), 1)  # PHQ-9 and PCL-5 of the same client
        self.assertEqual(len({r["pseudonym"] for r in first}), 4)
        self.assertFalse({r["pseudonym"] for r in first} & {r["pseudonym"] for r in second})

    def test_it_is_audited_without_phi(self) -> None:
        self.export()

        event = AuditEvent.objects.get(action="outcomes.export")
        self.assertEqual(event.detail, {"from": "2026-01-01", "to": "2026-12-31", "rows": 5})
        self.assertIsNone(event.client_id)

    def test_it_is_for_the_admin_only(self) -> None:
        for user in (self.intake, self.therapist, self.prescriber):
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL, RANGE).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action="outcomes.export").exists())
