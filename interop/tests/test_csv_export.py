"""`manage.py export_csv`: one CSV per table, full or de-identified by HIPAA Safe
Harbor (interop.csv_export), over the demo practice."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import stat
import tempfile
from pathlib import Path
from typing import ClassVar

from django.core.management import CommandError, call_command
from django.test import TestCase

from audit.models import AuditEvent
from clients.models import Client, Diagnosis
from dosing.models import VitalSigns
from interop.csv_export import TABLES, Kind
from measures.models import Response

IDENTIFYING = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_line1",
    "city",
    "postal_code",
    "emergency_contact_name",
    "emergency_contact_phone",
    "escort_name",
    "escort_phone",
)


def export(out: Path, *args: str) -> str:
    stdout = io.StringIO()
    call_command("export_csv", "--out", str(out), *args, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def read(out: Path) -> dict[str, list[dict[str, str]]]:
    found = {}
    for path in sorted(out.glob("*.csv")):
        with path.open(newline="") as handle:
            found[path.stem] = list(csv.DictReader(handle))
    return found


class CsvExportTestCase(TestCase):
    tmp: ClassVar[tempfile.TemporaryDirectory[str]]
    full: ClassVar[Path]
    deid: ClassVar[Path]
    old: ClassVar[Client]

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())
        cls.old = Client.objects.create(
            first_name="Ottilie", last_name="Ancient", date_of_birth=dt.date(1920, 5, 1)
        )
        cls.tmp = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.full = Path(cls.tmp.name) / "full"
        cls.deid = Path(cls.tmp.name) / "deid"
        export(cls.full)
        export(cls.deid, "--deidentified")

    def identifiers(self) -> set[str]:
        values = Client.objects.values_list(*IDENTIFYING)
        return {value for row in values for value in row if value}

    def test_it_writes_a_file_per_table_with_a_row_per_database_row(self) -> None:
        for out in (self.full, self.deid):
            tables = read(out)
            self.assertEqual(set(tables), {t.name for t in TABLES})
            self.assertEqual(len(tables["clients"]), Client.objects.count())
            self.assertEqual(len(tables["measure_responses"]), Response.objects.count())
            self.assertEqual(len(tables["vitals"]), VitalSigns.objects.count())
            for table in TABLES:
                with self.subTest(out=out.name, table=table.name):
                    self.assertEqual(len(tables[table.name]), table.rows().count())

    def test_it_keeps_totals_and_bands_as_stored(self) -> None:
        for out in (self.full, self.deid):
            rows = read(out)["measure_responses"]
            stored = sorted(Response.objects.values_list("total", "band_label"))
            self.assertEqual(sorted((int(r["total"]), r["band_label"]) for r in rows), stored)

    def test_it_holds_the_names_and_contacts_in_the_full_export(self) -> None:
        text = "".join(p.read_text() for p in self.full.glob("*.csv"))
        for value in self.identifiers():
            self.assertIn(value, text)

    def test_it_leaves_no_name_email_or_phone_in_the_deidentified_export(self) -> None:
        text = "".join(p.read_text() for p in self.deid.glob("*.csv"))
        self.assertGreaterEqual(len(self.identifiers()), 20)
        for value in self.identifiers():
            with self.subTest(value=value):
                self.assertNotIn(value, text)

    def test_it_drops_identifier_and_free_text_columns_when_deidentified(self) -> None:
        for table in TABLES:
            with (out := self.deid / f"{table.name}.csv").open(newline="") as handle:
                headers = set(next(csv.reader(handle)))
            dropped = {c.header for c in table.columns if c.kind in (Kind.IDENTIFIER, Kind.TEXT)}
            with self.subTest(file=out.name):
                self.assertFalse(dropped & headers)
        notes = VitalSigns.objects.exclude(notes="").values_list("notes", flat=True)
        descriptions = Diagnosis.objects.values_list("description", flat=True)
        text = "".join(p.read_text() for p in self.deid.glob("*.csv"))
        for value in [*notes, *descriptions]:
            self.assertNotIn(value, text)
        full = "".join(p.read_text() for p in self.full.glob("*.csv"))
        self.assertTrue(descriptions and all(value in full for value in descriptions))

    def test_it_keeps_only_the_year_of_each_date_when_deidentified(self) -> None:
        text = "".join(p.read_text() for p in self.deid.glob("*.csv"))
        self.assertIsNone(re.search(r"\d{4}-\d{2}-\d{2}", text))
        self.assertRegex("".join(p.read_text() for p in self.full.glob("*.csv")), r"\d{4}-\d{2}")

    def test_it_gives_each_client_one_pseudonym_across_the_tables(self) -> None:
        tables = read(self.deid)
        pseudonyms = {row["client"] for row in tables["clients"]}
        self.assertEqual(len(pseudonyms), Client.objects.count())
        for name in pseudonyms:
            self.assertRegex(name, r"^P-[0-9a-f]{8}$")
        for table, rows in tables.items():
            with self.subTest(table=table):
                self.assertLessEqual({row["client"] for row in rows}, pseudonyms)
        by_client = {row["client"]: row for row in tables["clients"]}
        responses = {r["client"] for r in tables["measure_responses"]}
        self.assertEqual(len(responses), Response.objects.values("client").distinct().count())
        self.assertLessEqual(responses, set(by_client))

    def test_it_gives_no_birth_year_for_a_client_of_90_or_more(self) -> None:
        clients = read(self.deid)["clients"]
        old = [row for row in clients if row["age_90_or_over"] == "yes"]
        self.assertEqual(len(old), 1)
        self.assertEqual(old[0]["birth_year"], "")
        self.assertTrue(any(row["birth_year"] for row in clients))

    def test_it_writes_files_for_the_owner_alone(self) -> None:
        for out in (self.full, self.deid):
            for path in out.iterdir():
                with self.subTest(file=path.name):
                    self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)

    def test_it_audits_each_export_with_its_mode_and_row_counts(self) -> None:
        events = AuditEvent.objects.filter(action="practice.csv_export").order_by("pk")
        self.assertEqual([e.detail["mode"] for e in events], ["full", "deidentified"])
        for event in events:
            self.assertEqual(event.detail["rows"]["clients"], Client.objects.count())
            self.assertIs(event.detail["complete"], True)

    def test_it_refuses_a_folder_that_is_not_empty_without_force(self) -> None:
        with tempfile.TemporaryDirectory() as name:
            out = Path(name)
            (out / "clients.csv").write_text("old")
            with self.assertRaisesMessage(CommandError, "--force"):
                export(out)
            self.assertEqual((out / "clients.csv").read_text(), "old")

            export(out, "--force")

            self.assertEqual(len(read(out)["clients"]), Client.objects.count())
