"""The practice's clinical record as one CSV per table (issue 13 §2, `manage.py export_csv`),
for practices that want spreadsheets.

Full by default: every column below, as stored (encrypted free text decrypted).

De-identified (`deidentified=True`) follows HIPAA's Safe Harbor method,
45 CFR 164.514(b)(2): the identifiers of (b)(2)(i) are removed, namely
  (A) names (client, emergency contact, escort, the typed signature),
  (B) geography below the state (address lines, city, ZIP code; the state is kept),
  (C) every element of a date except the year (each date and time becomes its year;
      a birth date becomes a birth year, left blank with age_90_or_over = yes for a
      client of 90 or more, as (C) asks),
  (D, E, F) telephone numbers and e-mail addresses, (O) IP addresses,
  (H, R) the record numbers: the client's id becomes a pseudonym ("P-" and 8 random
      hex digits, new for each export as measures.outcomes' CSV does, so two exports
      cannot be joined), and every other row id a number that holds only within
      this export (the tables still join on them);
and every free-text column is dropped (a note can name anyone). Codes, scores,
bands, doses, vitals, statuses and counts are kept unchanged; nothing is shifted.
Staff ids are kept: staff are not the client or the client's relatives.
Safe Harbor also asks that the practice have no actual knowledge that what is left
could identify someone ((b)(2)(ii)): that judgement is the practice's.

Dates at day precision with direct identifiers removed would be a "limited data set"
(164.514(e)), which needs a data use agreement; this module does not offer it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from django.db.models import F, Model, QuerySet
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.actor import Actor
from audit.services import log_action
from bls.models import DesensitisationSet, EmdrRecord
from clients.models import Allergy, Client, Diagnosis, ReportedMedication
from consents.models import SignedConsent
from dosing.models import Administration, AdverseEvent, VitalSigns
from interop.bulk import open_private, prepare_dir
from measures.models import Response
from partners.models import Referral
from prescriptions.models import Prescription
from scheduling.models import Appointment
from treatment.models import TreatmentCourse, TreatmentSession

SUFFIX = ".csv"
CHUNK = 2000


class Kind(Enum):
    ID = "id"  # the row's own id (renumbered when de-identified)
    CLIENT = "client"  # the client's id (a pseudonym when de-identified)
    REF = "ref"  # another table's row id (renumbered when de-identified)
    DATE = "date"  # a date or a date and time (its year when de-identified)
    VALUE = "value"  # coded or numeric: kept
    IDENTIFIER = "identifier"  # a direct identifier: dropped when de-identified
    TEXT = "text"  # free text: dropped when de-identified


@dataclass(frozen=True)
class Column:
    header: str
    path: str  # attribute path on the row, dots between steps
    kind: Kind = Kind.VALUE
    table: str = ""  # for REF: the table whose ids it holds


@dataclass(frozen=True)
class Table:
    name: str
    rows: Callable[[], QuerySet[Any]]  # with `client_pk` annotated
    columns: tuple[Column, ...]


# A column in a table's spec: "name", then ">table" (a row id of that table), ":D"
# (a date), ":T" (free text) or ":X" (a direct identifier), and "=path" when the
# value is not the attribute of that name ("id" and "client" are the row's and the
# client's). E.g. "session>sessions=record.session_id", "email:X".
SPEC = re.compile(
    r"^(?P<name>\w+)(?:>(?P<table>\w+))?(?::(?P<kind>[DTX]))?(?:=(?P<path>[\w.]+))?$"
)
KINDS = {"D": Kind.DATE, "T": Kind.TEXT, "X": Kind.IDENTIFIER}


def _column(spec: str) -> Column:
    match = SPEC.match(spec)
    if match is None:
        raise ValueError(f"Bad column spec {spec!r}")
    name, table, kind, path = match.group("name", "table", "kind", "path")
    if name == "id":
        return Column(name, "pk", Kind.ID)
    if name == "client":
        return Column(name, "client_pk", Kind.CLIENT)
    if table:
        return Column(name, path or f"{name}_id", Kind.REF, table)
    return Column(name, path or name, KINDS[kind] if kind else Kind.VALUE)


def _cols(spec: str) -> tuple[Column, ...]:
    return tuple(_column(item) for item in spec.split())


def _of(
    model: type[Model], client: str | Combinable, *related: str, **extra: Combinable
) -> Callable[[], QuerySet[Any]]:
    def rows() -> QuerySet[Any]:
        pk = F(client) if isinstance(client, str) else client
        found = model._default_manager.annotate(client_pk=pk, **extra).order_by("pk")
        return found.select_related(*related) if related else found

    return rows


def _emdr_client(prefix: str) -> Combinable:
    """An EMDR record belongs to a KA-EMDR session or to a plain EMDR appointment."""
    return Coalesce(F(f"{prefix}session__course__client"), F(f"{prefix}appointment__client"))


def _tables() -> tuple[Table, ...]:
    record = "record__session__course__client"
    revocation = {
        "revoked_at_": F("revocation__revoked_at"),
        "revoked_why_": F("revocation__reason"),
    }
    return (
        Table(
            "clients",
            _of(Client, "pk"),
            _cols(
                "client status first_name:X last_name:X preferred_name:X pronouns:T "
                "date_of_birth:X email:X phone:X address_line1:X address_line2:X city:X state "
                "postal_code:X emergency_contact_name:X emergency_contact_relationship:T "
                "emergency_contact_phone:X escort_name:X escort_relationship:T escort_phone:X "
                "service_of_interest assigned_therapist=assigned_therapist_id created_at:D"
            ),
        ),
        Table(
            "diagnoses",
            _of(Diagnosis, "client"),
            _cols("id client code description:T added_at:D resolved_at:D"),
        ),
        Table(
            "reported_medications",
            _of(ReportedMedication, "client"),
            _cols("id client name dose frequency reported_at:D stopped_at:D"),
        ),
        Table(
            "allergies",
            _of(Allergy, "client"),
            _cols("id client substance reaction:T severity reported_at:D removed_at:D"),
        ),
        Table(
            "courses",
            _of(TreatmentCourse, "client"),
            _cols(
                "id client modality status planned_preparation planned_dosing "
                "planned_integration goals:T created_at:D"
            ),
        ),
        Table(
            "sessions",
            _of(TreatmentSession, "course__client"),
            _cols(
                "id client course>courses kind status planned_date:D started_at:D "
                "completed_at:D cancelled_at:D cancel_reason:T escort_name:X escort_phone:X"
            ),
        ),
        Table(
            "appointments",
            _of(Appointment, "client"),
            _cols(
                "id client session>sessions type status starts_at:D ends_at:D "
                "clinician=clinician_id cancel_reason:T"
            ),
        ),
        Table(
            "measure_responses",
            _of(Response, "client", "instrument"),
            _cols(
                "id client instrument=instrument.code source answered_at:D total band_key "
                "band_label provisional answers subscores"
            ),
        ),
        Table(
            "prescriptions",
            _of(Prescription, "client"),
            _cols(
                "id client chain>prescriptions version prescriber=prescriber_id medication "
                "modality route weight_kg dose_mg_per_kg dose_mg booster_mg "
                "booster_after_minutes sessions_authorised valid_from:D valid_to:D status "
                "created_at:D discontinued_at:D discontinued_reason:T range_override_reason:T"
            ),
        ),
        Table(
            "administrations",
            _of(Administration, record, "record"),
            _cols(
                "id client session>sessions=record.session_id prescription>prescriptions kind "
                "dose_mg route given_at:D self_administered given_by=given_by_id "
                "witnessed_by=witnessed_by_id"
            ),
        ),
        Table(
            "vitals",
            _of(VitalSigns, record, "record"),
            _cols(
                "id client session>sessions=record.session_id phase taken_at:D systolic "
                "diastolic heart_rate spo2 sedation dissociation notes:T "
                "recorded_by=recorded_by_id"
            ),
        ),
        Table(
            "adverse_events",
            _of(AdverseEvent, record, "record"),
            _cols(
                "id client session>sessions=record.session_id type severity serious "
                "occurred_at:D description:T action_taken:T rescue_medication"
            ),
        ),
        Table(
            "consents",
            _of(SignedConsent, "client", "document", **revocation),
            _cols(
                "id client kind=document.kind document_version=document.version title_signed "
                "partner=partner_id agreed signed_at:D typed_name:X ip:X "
                "revoked_at:D=revoked_at_ revocation_reason:T=revoked_why_"
            ),
        ),
        Table(
            "referrals",
            _of(Referral, "client", "partner"),
            _cols(
                "id client partner=partner_id partner_name=partner.name status sent_at:D "
                "evaluation_at:D reason:T not_eligible_reason:T"
            ),
        ),
        Table(
            "emdr_records",
            _of(EmdrRecord, _emdr_client("")),
            _cols(
                "id client session>sessions appointment>appointments voc_start sud_start "
                "installation_voc closure sud_end voc_end created_at:D target_memory:T "
                "negative_cognition:T positive_cognition:T"
            ),
        ),
        Table(
            "emdr_sets",
            _of(DesensitisationSet, _emdr_client("record__")),
            _cols(
                "id client record>emdr_records number at:D bls_type speed_hz passes seconds "
                "client_report:T"
            ),
        ),
    )


TABLES = _tables()


def _step(row: Any, path: str) -> Any:
    value = row
    for name in path.split("."):
        if value is None:
            return None
        value = getattr(value, name)
    return value


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


@dataclass
class Deidentifier:
    """Pseudonyms and row numbers for one de-identified export (never stored)."""

    today: dt.date
    pseudonyms: dict[int, str] = field(default_factory=dict)
    numbers: dict[str, dict[int, int]] = field(default_factory=dict)

    def pseudonym(self, pk: int | None) -> str:
        if pk is None:
            return ""
        if pk not in self.pseudonyms:
            taken = set(self.pseudonyms.values())
            name = f"P-{secrets.token_hex(4)}"
            while name in taken:
                name = f"P-{secrets.token_hex(4)}"
            self.pseudonyms[pk] = name
        return self.pseudonyms[pk]

    def number(self, table: str, pk: int | None) -> Any:
        if pk is None:
            return ""
        seen = self.numbers.setdefault(table, {})
        return seen.setdefault(pk, len(seen) + 1)


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def headers(table: Table, deid: Deidentifier | None) -> list[str]:
    if deid is None:
        return [c.header for c in table.columns]
    kept = [c.header for c in table.columns if c.kind not in (Kind.IDENTIFIER, Kind.TEXT)]
    return kept + (["birth_year", "age_90_or_over"] if table.name == "clients" else [])


def cells(table: Table, row: Any, deid: Deidentifier | None) -> list[Any]:
    if deid is None:
        return [_plain(_step(row, c.path)) for c in table.columns]
    found: list[Any] = []
    for column in table.columns:
        value = _step(row, column.path)
        if column.kind in (Kind.IDENTIFIER, Kind.TEXT):
            continue
        if column.kind is Kind.CLIENT:
            found.append(deid.pseudonym(value))
        elif column.kind is Kind.ID:
            found.append(deid.number(table.name, value))
        elif column.kind is Kind.REF:
            found.append(deid.number(column.table, value))
        elif column.kind is Kind.DATE:
            found.append(value.year if value is not None else "")
        else:
            found.append(_plain(value))
    if table.name == "clients":
        born: dt.date | None = row.date_of_birth
        old = born is not None and _age(born, deid.today) >= 90
        found += ["" if born is None or old else born.year, "yes" if old else "no"]
    return found


def rows_of(table: Table) -> Iterator[Any]:
    return table.rows().iterator(chunk_size=CHUNK)


def export_tables(
    *, actor: Actor, out: Path, deidentified: bool = False, force: bool = False
) -> dict[str, int]:
    """Write one CSV per table under `out` (files 0600); rows per table. Audited once
    ("practice.csv_export": the mode and the row counts, never content), also when
    the export stops part way (complete: false)."""
    prepare_dir(out, force=force, ours=(SUFFIX,))
    deid = Deidentifier(today=timezone.localdate()) if deidentified else None
    counts: dict[str, int] = {}
    complete = False
    try:
        # No transaction: it would hold SQLite's write lock (interop.bulk says why).
        for table in TABLES:
            counts[table.name] = 0
            with open_private(out / f"{table.name}{SUFFIX}") as handle:
                writer = csv.writer(handle)
                writer.writerow(headers(table, deid))
                for row in rows_of(table):
                    writer.writerow(cells(table, row, deid))
                    counts[table.name] += 1
        complete = True
    finally:
        log_action(
            actor,
            "practice.csv_export",
            detail={
                "mode": "deidentified" if deidentified else "full",
                "complete": complete,
                "rows": counts,
            },
        )
    return counts


def table_help() -> str:
    return ", ".join(table.name for table in TABLES)
