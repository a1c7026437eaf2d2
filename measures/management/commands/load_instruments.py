from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from measures.models import Instrument
from measures.registry import INSTRUMENTS_DIR, InvalidDefinition, load_all


class Command(BaseCommand):
    help = (
        "Load the outcome instruments (measures/instruments/*.json) into the database. "
        "Idempotent: creates an instrument that is missing, updates one whose version or "
        "definition changed, and leaves the rest alone. Every file is validated first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", default=str(INSTRUMENTS_DIR), help="Folder of instrument JSON files."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            definitions = load_all(Path(options["dir"]))
        except InvalidDefinition as exc:
            raise CommandError(str(exc)) from None
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        with transaction.atomic():
            for code, definition in definitions.items():
                fields = {
                    "name": definition["name"],
                    "short_name": definition["short_name"],
                    "version": definition["version"],
                    "definition": definition,
                }
                instrument = Instrument.objects.filter(code=code).first()
                if instrument is None:
                    Instrument.objects.create(code=code, **fields)
                    outcome = "created"
                elif all(getattr(instrument, key) == value for key, value in fields.items()):
                    outcome = "unchanged"
                else:
                    for key, value in fields.items():
                        setattr(instrument, key, value)
                    instrument.save()
                    outcome = "updated"
                counts[outcome] += 1
                self.stdout.write(
                    f"{outcome}: {definition['short_name']} v{definition['version']}"
                )
        self.stdout.write(
            f"{counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged."
        )
