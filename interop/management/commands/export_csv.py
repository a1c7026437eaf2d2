"""Export the practice's clinical record as CSV, one file per table:
`manage.py export_csv --out DIR [--deidentified]` (interop.csv_export says what each
mode holds). Files are 0600; the full export holds PHI. Audited once as the system.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.actor import Actor
from interop.bulk import ExportDirError
from interop.csv_export import export_tables, table_help

FULL_WARNING = (
    "WARNING: {out} holds protected health information (names, contacts, free text). "
    "Keep it on encrypted storage and delete it when done."
)
DEID_NOTE = (
    "De-identified by HIPAA Safe Harbor, 45 CFR 164.514(b)(2): names, geography below the "
    "state, phone numbers, e-mails, IP addresses, record numbers and free text removed; "
    "dates reduced to the year. The practice must still have no actual knowledge that "
    "what is left identifies anyone."
)


class Command(BaseCommand):
    help = (
        "Export the clinical record as one CSV per table in DIR: "
        + table_help()
        + ". Full by default (PHI); --deidentified applies HIPAA Safe Harbor "
        "(45 CFR 164.514(b)(2)): a pseudonym per client, new each export; names, "
        "contacts, addresses below the state, IP addresses and free text dropped; "
        "dates reduced to the year. Files 0600. Refuses a non-empty DIR unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="The output folder.")
        parser.add_argument(
            "--deidentified", action="store_true", help="HIPAA Safe Harbor de-identification."
        )
        parser.add_argument(
            "--force", action="store_true", help="Use a non-empty DIR: its *.csv are replaced."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        try:
            counts = export_tables(
                actor=Actor.system(),
                out=out,
                deidentified=options["deidentified"],
                force=options["force"],
            )
        except ExportDirError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Exported {len(counts)} tables to {out}:")
        for name, count in counts.items():
            self.stdout.write(f"  {name}.csv: {count} rows")
        if options["deidentified"]:
            self.stdout.write(DEID_NOTE)
        else:
            self.stderr.write(FULL_WARNING.format(out=out))
