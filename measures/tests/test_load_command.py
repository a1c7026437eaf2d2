"""manage.py load_instruments: idempotent, by code; refuses an invalid definition."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import CommandError, call_command
from django.test import TestCase

from measures.registry import INSTRUMENTS_DIR


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_instruments", *args, stdout=out)
    return out.getvalue()


class LoadInstrumentsTestCase(TestCase):
    def test_it_creates_each_instrument_once(self) -> None:
        from measures.models import Instrument

        output = load()

        self.assertIn("3 created, 0 updated, 0 unchanged.", output)
        self.assertEqual(
            sorted(Instrument.objects.values_list("code", flat=True)), ["gad7", "pcl5", "phq9"]
        )
        phq9 = Instrument.objects.get(code="phq9")
        self.assertEqual((phq9.short_name, phq9.version), ("PHQ-9", "1"))
        self.assertEqual(len(phq9.definition["items"]), 9)

    def test_it_is_idempotent(self) -> None:
        from measures.models import Instrument

        load()
        first = {i.code: i.loaded_at for i in Instrument.objects.all()}

        output = load()

        self.assertIn("0 created, 0 updated, 3 unchanged.", output)
        self.assertEqual(Instrument.objects.count(), 3)
        self.assertEqual({i.code: i.loaded_at for i in Instrument.objects.all()}, first)

    def test_it_updates_a_changed_definition_in_place(self) -> None:
        from measures.models import Instrument

        load()
        with TemporaryDirectory() as folder:
            for path in INSTRUMENTS_DIR.glob("*.json"):
                shutil.copy(path, folder)
            changed = Path(folder) / "gad7.json"
            definition = json.loads(changed.read_text(encoding="utf-8"))
            definition["version"] = "2"
            changed.write_text(json.dumps(definition), encoding="utf-8")

            output = load("--dir", folder)

        self.assertIn("0 created, 1 updated, 2 unchanged.", output)
        self.assertEqual(Instrument.objects.filter(code="gad7").count(), 1)
        self.assertEqual(Instrument.objects.get(code="gad7").version, "2")

    def test_it_refuses_an_invalid_definition_and_changes_nothing(self) -> None:
        from measures.models import Instrument

        with TemporaryDirectory() as folder:
            definition = json.loads((INSTRUMENTS_DIR / "phq9.json").read_text(encoding="utf-8"))
            definition["bands"][1]["min"] = 6
            (Path(folder) / "phq9.json").write_text(json.dumps(definition), encoding="utf-8")

            with self.assertRaisesMessage(CommandError, "phq9.json: bands leave a gap: 5–5"):
                load("--dir", folder)

        self.assertEqual(Instrument.objects.count(), 0)
