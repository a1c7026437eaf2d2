"""Export the whole practice as FHIR R4 Bulk Data NDJSON: `manage.py export_fhir --out DIR`.

Writes `<ResourceType>.ndjson` per resource type and `manifest.json` (interop.bulk).
The folder holds PHI: files are 0600, the folder 0700; move it only to encrypted
storage and delete it when it has served. Audited once as the system.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.actor import Actor
from interop.bulk import BATCH_SIZE, ExportDirError, export_practice

PHI_WARNING = (
    "WARNING: {out} holds protected health information (every client's record). "
    "Keep it on encrypted storage, share it only under a BAA, and delete it when done."
)


class Command(BaseCommand):
    help = (
        "Export every client's record as FHIR R4 Bulk Data: one <ResourceType>.ndjson "
        "per resource type and a manifest.json, in DIR (files 0600; the folder holds PHI). "
        "Refuses a non-empty DIR unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="The output folder.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Use a non-empty DIR: its *.ndjson and manifest.json are replaced.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="Clients read per batch."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.monotonic()
        try:
            result = export_practice(
                actor=Actor.system(),
                out=out,
                force=options["force"],
                batch_size=options["batch_size"],
            )
        except ExportDirError as error:
            raise CommandError(str(error)) from error
        seconds = time.monotonic() - started
        total = sum(result.counts.values())
        self.stdout.write(
            f"Exported {result.clients} clients, {total} resources in "
            f"{len(result.counts)} files to {out} in {seconds:.1f} s."
        )
        for kind, count in result.counts.items():
            self.stdout.write(f"  {kind}: {count}")
        self.stderr.write(PHI_WARNING.format(out=out))
