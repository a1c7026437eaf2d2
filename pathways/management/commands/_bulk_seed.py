"""`seed_demo --clients N`: a practice group of N clients over two years, in bulk.

It needs an empty practice (no users, clients or audit entries: a database just
migrated) and refuses anything else, the demo included, for three reasons:
- the audit trail's times only go forward (`audit.chain` reports an entry earlier
  than the one before it as backdated), so a two-year past can only be chained at
  the start of an empty trail;
- the demo's refresh (`_demo_refresh`) moves every date of its apps forward, row by
  row, on a later day: beside a bulk practice it would rewrite millions of rows;
- a data set for `make bench` is the same every time: the same N and seed give the
  same practice (relative to the day it is built), whatever was there before.
Run it once on a fresh database (`DATABASE_URL=sqlite:////tmp/bulk.sqlite3`, then
`migrate`). A later plain `seed_demo` finds the user "admin" and, with no demo
anchor to move, changes nothing.

Everything is written in one transaction: all of it, or nothing.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import random
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from bls.models import DesensitisationSet, EmdrRecord, PhaseMark
from clients.models import Client, Diagnosis
from consents.models import ConsentRequest, SignedConsent
from dosing.models import (
    Administration,
    AdverseEvent,
    Discharge,
    DosingRecord,
    SessionNote,
    VitalSigns,
)
from intake.models import AppointmentRequest, StatusChange
from measures.models import (
    MeasureLink,
    MeasureSchedule,
    OutcomesDataVersion,
    Response,
    SafetyAlert,
)
from partners.models import Disclosure, Partner, PartnerMembership, Referral, ReferralEvent
from pathways.management.commands._bulk_audit import (
    ChainEnd,
    chain_finish,
    chain_rows,
    chain_start,
)
from pathways.management.commands._bulk_calendar import Booker
from pathways.management.commands._bulk_clients import (
    seed_client,
    seed_request,
)
from pathways.management.commands._bulk_common import Tables, Trail
from pathways.management.commands._bulk_measures import MeasureWriter
from pathways.management.commands._bulk_split import in_two_processes
from pathways.management.commands._bulk_staff import (
    grant_break_glass,
    install_documents,
    seed_practice,
)
from pathways.management.commands._bulk_world import World
from prescriptions.models import Prescription
from scheduling.models import Appointment, Room, WorkingHours
from treatment.models import TreatmentCourse, TreatmentSession
from website.models import Service
from website.services import services_install_defaults

# Every model the practice writes rows of (their tables are made before the split).
MODELS: list[type[models.Model]] = [
    User, Room, WorkingHours, Partner, PartnerMembership, Client, Diagnosis,
    AppointmentRequest, StatusChange, Appointment, ConsentRequest, SignedConsent, Referral,
    ReferralEvent, Disclosure, Prescription, TreatmentCourse, TreatmentSession,
    MeasureSchedule, MeasureLink, Response, SafetyAlert, DosingRecord, VitalSigns,
    Administration, AdverseEvent, Discharge, SessionNote, EmdrRecord, PhaseMark,
    DesensitisationSet,
]  # fmt: skip
YEARS_DAYS = 730
AHEAD_DAYS = 28  # appointments are booked up to four weeks ahead
NOT_EMPTY = (
    "seed_demo --clients builds a practice in an empty database, and this one already "
    "has {what}. Point DATABASE_URL at a new database, run migrate, then seed_demo --clients."
)


class NotEmptyError(Exception):
    pass


@contextmanager
def page_cache() -> Iterator[None]:
    """On SQLite, a page cache of a gigabyte while the seed runs (the default is 2 MB):
    the unique index of the chain's hashes takes its rows in random order, and with a
    small cache each insert reads pages back from the file."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -1000000")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def outcomes_triggers_off() -> Iterator[None]:
    """On PostgreSQL, the outcomes report's data-version triggers (measures migration
    0008) off while the seed inserts, and the version changed once at the end.

    Why: each trigger is per statement, and psycopg runs a batch as one statement per
    row, so the one version row was updated hundreds of thousands of times in the
    seed's single transaction; every such update leaves a version of the row that no
    one may clean up before the commit, and each next update walks past them all (the
    10,000-client seed did not finish in 10 minutes). SQLite updates its row in place:
    there the triggers stay on. In the seed's own transaction: nothing else writes."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE p.proname = 'measures_outcomes_changed' AND NOT t.tgisinternal"
        )
        triggers = cursor.fetchall()
        quote = connection.ops.quote_name
        for table, name in triggers:
            cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(name)}")
    yield
    with connection.cursor() as cursor:
        # ALTER TABLE refuses a table with foreign-key checks still pending: run them
        # now (they would run at the commit), then defer again as Django's are.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name in triggers:
            cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER {quote(name)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    # What those triggers would have done: a new token, so no process keeps a report.
    OutcomesDataVersion.objects.update_or_create(
        pk=1, defaults={"token": secrets.randbits(62) - (1 << 61)}
    )


def check_empty() -> None:
    for model, what in ((User, "users"), (Client, "clients"), (AuditEvent, "audit entries")):
        if model._default_manager.exists():
            raise NotEmptyError(NOT_EMPTY.format(what=what))


def _took(started: float) -> str:
    # The CPU is this process's: the building child's lines count its own since the fork.
    return f"{time.perf_counter() - started:.0f} s, this process's CPU {time.process_time():.0f} s"


def seed_bulk(
    clients: int, seed: int, password: str, say: Callable[[str], None]
) -> dict[str, int]:
    """Build the practice; returns the rows written per model."""
    check_empty()
    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(seed)  # noqa: S311  (invented data, the same from the same seed)
    # Millions of small rows: the cyclic collector would rescan them all, again and
    # again, for nothing (there are no cycles to free until the end).
    gc.disable()
    tables = Tables()
    try:
        with transaction.atomic(), page_cache(), outcomes_triggers_off():
            services_install_defaults()
            call_command("load_instruments", stdout=io.StringIO())
            trail = Trail(now)
            practice = seed_practice(
                tables, trail, clients, today - dt.timedelta(days=YEARS_DAYS), password
            )
            for service in Service.objects.all():
                practice.services[service.slug] = (service.pk, service.title)
            install_documents(trail, practice)
            tables[User].flush()
            grant_break_glass(practice)
            for model in MODELS:
                tables[model]
            world = World(
                tables=tables,
                trail=trail,
                rng=rng,
                practice=practice,
                booker=Booker(tables, trail, practice),
                measures=MeasureWriter(tables, trail, rng),
                names=random.Random(f"names {seed}"),  # noqa: S311  (invented names)
                today=today,
                horizon=today + dt.timedelta(days=AHEAD_DAYS),
            )
            start = chain_start(tables)

            def build(tell: Callable[[str], None]) -> tuple[dict[str, int], ChainEnd]:
                """The practice's past and its audit chain (in the building process)."""
                for index in range(clients):
                    seed_client(world, index)
                    if index and index % 1000 == 0:
                        tell(f"  {index} clients ({_took(started)})")
                for index in range(clients // 5):
                    seed_request(world, index)
                counts = tables.flush()
                tell(f"  records made ({_took(started)}); audit trail next")
                return counts, chain_rows(trail.entries, start, tables.writer)

            counts, end = in_two_processes(tables.writer, build, say)
            tables.reset_sequences()
            chain_finish(start, end)
            counts[AuditEvent._meta.label] = end.count
            say(f"  all written ({_took(started)}); committing")
    finally:
        gc.enable()
    say(f"  done ({_took(started)})")
    return counts
