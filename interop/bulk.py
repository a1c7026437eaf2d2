"""The whole practice as FHIR Bulk Data NDJSON (issue 13 §2, `manage.py export_fhir`).

One file per resource type, `<ResourceType>.ndjson`, one resource per line, as the
FHIR Bulk Data Access IG's output files are (https://hl7.org/fhir/uv/bulkdata/export.html,
"Bulk Data Output File Format"), and a `manifest.json` in the shape of its complete
status response (transactionTime, request, requiresAccessToken, output, error).

Clients are read in batches by primary key, each batch's records in one go with
interop.queries.client_records (16 queries per batch of BATCH_SIZE clients, not per
client: the reads of 1,000 clients took most of the export's time), and built with
interop.bundle.record_resources, the same code as the per-client Bundle, so the two
exports agree. Their lines go straight to the open files: the practice is never held
in memory, only one batch and the ids of the shared resources already written.

Shared resources (the practice and partner Organizations, the staff as Practitioners,
a Questionnaire per instrument) appear in many records and are written once. Each
client's export Provenance (id "export" inside a Bundle) gets an id of its own here,
"client-<pk>-export", since ids must be unique within a resource type across files.

The files hold PHI: the folder is created 0700 and every file 0600.

The export runs against the live database without a transaction (see
export_practice): a change made while it runs shows in the clients not yet read.
For a point-in-time export, export from a copy (`manage.py backup copy.sqlite3`,
then `DATABASE_URL=sqlite:///copy.sqlite3 manage.py export_fhir ...`; the audit
entry then lands in the copy, so audit it in the live trail by hand).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils import timezone
from fhir.resources.R4B.resource import Resource

from accounts.actor import Actor
from audit.services import log_action
from clients.models import Client
from common.links import site_url
from interop.bundle import record_resources
from interop.fhir_json import resource_json
from interop.provenance import EXPORT_PROVENANCE_ID
from interop.queries import ClientRecord, client_records
from interop.refs import FHIR_BASE, rid

BATCH_SIZE = 100
MANIFEST = "manifest.json"
SUFFIX = ".ndjson"
# Written once for the practice, however many records name them.
SHARED_TYPES = frozenset({"Organization", "Practitioner", "Questionnaire"})
FILE_MODE = 0o600
DIR_MODE = 0o700


class ExportDirError(Exception):
    """The output folder cannot be used (not empty without --force, or not a folder)."""


@dataclass(frozen=True)
class BulkResult:
    clients: int
    counts: dict[str, int]
    manifest: dict[str, Any]


def open_private(path: Path) -> IO[str]:
    """Open `path` for writing, truncated, readable by the owner alone (0600 even if
    the file existed with a wider mode, and whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return os.fdopen(fd, "w", encoding="utf-8", newline="\n")


def prepare_dir(out: Path, *, force: bool, ours: tuple[str, ...]) -> None:
    """Create `out` (0700) or accept it empty. A non-empty folder is refused unless
    `force`; then only the files an export writes (`ours`: suffixes and names) are
    removed, so a stale type file cannot sit beside a new manifest."""
    if out.exists() and not out.is_dir():
        raise ExportDirError(f"{out} exists and is not a folder.")
    if out.is_dir():
        present = list(out.iterdir())
        if present and not force:
            raise ExportDirError(
                f"{out} is not empty ({len(present)} entries): choose an empty or new "
                "folder, or pass --force to overwrite the export files in it."
            )
        for entry in present:
            if entry.is_file() and (entry.name in ours or entry.name.endswith(ours)):
                entry.unlink()
    out.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    out.chmod(DIR_MODE)


def client_batches(batch_size: int) -> Iterator[list[Client]]:
    """Every client, by primary key, `batch_size` at a time (keyset pages: one query
    per batch, whatever the practice's size)."""
    last = 0
    while True:
        batch = list(Client.objects.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


class NdjsonWriter:
    """One open file per resource type, counting the lines written to each."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.files: dict[str, IO[str]] = {}
        self.counts: Counter[str] = Counter()
        self.seen: set[tuple[str, str]] = set()

    def write(self, resource: Resource) -> None:
        kind = resource.get_resource_type()
        if kind in SHARED_TYPES:
            key = (kind, str(resource.id))
            if key in self.seen:
                return
            self.seen.add(key)
        if kind not in self.files:
            self.files[kind] = open_private(self.out / f"{kind}{SUFFIX}")
        self.files[kind].write(resource_json(resource) + "\n")
        self.counts[kind] += 1

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


def client_resources(record: ClientRecord, at: dt.datetime) -> list[Resource]:
    resources = record_resources(record, at)
    for resource in resources:
        if resource.get_resource_type() == "Provenance" and resource.id == EXPORT_PROVENANCE_ID:
            resource.id = rid("client", record.client.pk, "export")
    return resources


def manifest(counts: dict[str, int], at: dt.datetime) -> dict[str, Any]:
    """The Bulk Data complete-status body. `request` names the system-level $export
    this export stands for (no such endpoint is served: the export is a command);
    `url` is the file's name, relative to the manifest."""
    return {
        "transactionTime": at.isoformat(),
        "request": site_url(f"{FHIR_BASE}/$export"),
        "requiresAccessToken": False,
        "output": [
            {"type": kind, "url": f"{kind}{SUFFIX}", "count": count}
            for kind, count in sorted(counts.items())
        ],
        "error": [],
    }


def export_practice(
    *,
    actor: Actor,
    out: Path,
    force: bool = False,
    batch_size: int = BATCH_SIZE,
    at: dt.datetime | None = None,
) -> BulkResult:
    """Write every client's record under `out`; audited once ("practice.fhir_export",
    counts only), also when the export stops part way (complete: false)."""
    prepare_dir(out, force=force, ours=(SUFFIX, MANIFEST))
    at = at or timezone.now()
    writer = NdjsonWriter(out)
    clients = 0
    complete = False
    try:
        # No transaction around the reads: SQLite's are BEGIN IMMEDIATE here
        # (settings), which would hold the write lock, and so the practice, for the
        # whole export. Each client is read as it stands when reached.
        for batch in client_batches(batch_size):
            records = client_records(batch)
            for client in batch:
                for resource in client_resources(records[client.pk], at):
                    writer.write(resource)
                clients += 1
        writer.close()
        counts = dict(sorted(writer.counts.items()))
        body = manifest(counts, at)
        with open_private(out / MANIFEST) as handle:
            json.dump(body, handle, indent=2)
            handle.write("\n")
        complete = True
    finally:
        writer.close()
        log_action(
            actor,
            "practice.fhir_export",
            detail={
                "format": "ndjson",
                "complete": complete,
                "clients": clients,
                "resources": sum(writer.counts.values()),
                "counts": dict(sorted(writer.counts.items())),
            },
        )
    return BulkResult(clients=clients, counts=counts, manifest=body)
