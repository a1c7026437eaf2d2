"""What the bulk practice (`seed_demo --clients N`) shares: the tables it fills, the
audit entries it collects, and dates in the practice's time zone.

Why not `Model.objects.bulk_create`: on SQLite it sends at most 999 parameters per
INSERT (about 50 rows of an appointment), builds a model instance per row and
prepares every field of it; measured here, 100,000 appointments took 8.7 s that way
against about 1 s through one prepared statement (`cursor.executemany`). A million
rows and more would not fit in the three minutes the issue allows. So each `Table`
keeps plain rows and inserts them in batches of `BATCH` with `executemany`, and
each value still goes through its model field's own preparation wherever that
matters:

- encrypted fields (`common.fields`) through `get_db_prep_save`, which encrypts each
  value with its own IV exactly as `save()` and `bulk_create` do;
- JSON, decimals, UUIDs and addresses through `get_db_prep_save` as well;
- dates and times through the connection's own adapters (what those fields call);
- what `save()` computes (`Client.phone_digits`, `AppointmentRequest.name_key`) and
  `auto_now`/`auto_now_add` times are given by the caller: nothing here calls
  `save()`, so a stored time is the time the practice's past says it happened.

Primary keys are given here (from the table's highest id + 1), so that rows can point
at each other before any is inserted; the foreign keys are checked by the database
at commit (Django creates them DEFERRABLE INITIALLY DEFERRED), and every check and
unique constraint as each row goes in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from common.fields import EncryptedMixin

BATCH = 5000
PREPARED = (
    models.JSONField,
    models.DecimalField,
    models.UUIDField,
    models.GenericIPAddressField,
)


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a value of `field` is sent to the database (None: as it is)."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: ops.adapt_json_value(value, encoder)
    if isinstance(field, (EncryptedMixin, PREPARED)):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, models.DateTimeField):
        return datetime_adapter()
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.TimeField):
        return ops.adapt_timefield_value
    return None


def datetime_adapter() -> Callable[[Any], Any]:
    """How an aware datetime is sent: the connection's own adapter, or on SQLite the
    same thing without its checks (the naive time in the database's zone, as text),
    which is a tenth of the seed's time otherwise."""
    if connection.vendor != "sqlite":
        return connection.ops.adapt_datetimefield_value
    zone = connection.timezone

    def adapt(value: dt.datetime | None) -> str | None:
        return None if value is None else str(value.astimezone(zone).replace(tzinfo=None))

    def adapt_utc(value: dt.datetime | None) -> str | None:
        # The same text without making a naive copy: "+00:00" cut off (half the time,
        # and the seed adapts millions of times).
        return None if value is None else value.astimezone(zone).isoformat(" ")[:-6]

    return adapt_utc if zone is dt.UTC else adapt


class Table:
    """Rows of one model, inserted in batches. `add` takes attribute names
    (`client_id`, not `client`) and returns the new row's id."""

    def __init__(self, model: type[models.Model], writer: Writer) -> None:
        self.model = model
        self.writer = writer
        fields = list(model._meta.concrete_fields)
        self.names = [field.attname for field in fields]
        self.known = frozenset(self.names)
        self.defaults = [None if field.primary_key else field.get_default() for field in fields]
        self.converters = [(i, c) for i, f in enumerate(fields) if (c := _converter(f))]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(str(field.column)) for field in fields)
        marks = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608  (names from the model)
        highest = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
        self.next_id = int(highest) + 1
        self.rows: list[list[Any]] = []
        self.count = 0

    def reserve(self) -> int:
        """An id for a row added later (`add(id=...)`), so others can point at it first."""
        pk = self.next_id
        self.next_id += 1
        return pk

    def add(self, **values: Any) -> int:
        unknown = values.keys() - self.known
        if unknown:
            raise TypeError(f"{self.model.__name__} has no column {sorted(unknown)}")
        pk = values.get("id") or self.reserve()
        values["id"] = pk
        self.rows.append(
            [values.get(n, d) for n, d in zip(self.names, self.defaults, strict=True)]
        )
        if len(self.rows) >= BATCH:
            self.flush()
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        for row in self.rows:
            for index, convert in self.converters:
                row[index] = convert(row[index])
        self.writer.insert(self.sql, self.rows)
        self.count += len(self.rows)
        self.rows = []


class Writer:
    """Where a `Table`'s batches go: into the database, from the process that holds the
    connection, or, in the process that builds the practice (`_bulk_split`), sent to it.

    Why two processes: building the rows is Python and inserting them is mostly the
    database's work, so on two cores they can overlap. A thread could not: sqlite3
    gives up the GIL for each row's step and must take it back from the building
    thread, which keeps it for its switch interval (5 ms), so the two took turns (the
    seed used 95% of one core with a writer thread; see bench/SEED_BULK.md)."""

    def __init__(self) -> None:
        self.send: Callable[[str, list[Any]], None] | None = None

    @property
    def remote(self) -> bool:
        """True in the building process: it never touches the database."""
        return self.send is not None

    def insert(self, sql: str, rows: list[Any]) -> None:
        if self.send is not None:
            self.send(sql, rows)
        else:
            execute_many(sql, rows)


def execute_many(sql: str, rows: list[Any]) -> None:
    """One prepared INSERT for every row. On SQLite through sqlite3 itself (its own
    placeholders): Django's cursor wrapper would turn each row's parameters again."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.wrap_database_errors:  # Django's errors, as its cursor raises
            connection.connection.executemany(sql.replace("%s", "?"), rows)
        return
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


class Tables:
    """One `Table` per model, each made before the building process starts (making one
    reads the table's highest id)."""

    def __init__(self) -> None:
        self._tables: dict[type[models.Model], Table] = {}
        self.writer = Writer()

    def __getitem__(self, model: type[models.Model]) -> Table:
        table = self._tables.get(model)
        if table is None:
            if self.writer.remote:
                raise RuntimeError(f"Make the table of {model.__name__} before the split.")
            table = self._tables[model] = Table(model, self.writer)
        return table

    def flush(self) -> dict[str, int]:
        """Insert (or send) what is left; returns the rows inserted per model."""
        for table in self._tables.values():
            table.flush()
        return {t.model._meta.label: t.count for t in self._tables.values()}

    def reset_sequences(self) -> None:
        """Make each id sequence continue after the rows given (PostgreSQL; SQLite
        follows by itself). In the process that holds the connection, once all are in."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self._tables))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


# --- The audit entries -----------------------------------------------------------

# An entry as collected: at, actor id, actor username, action, object type,
# object id, client id, ip, detail. Chained by _bulk_audit.chain_rows.
Entry = tuple[dt.datetime, int | None, str, str, str, str, int | None, str | None, dict[str, Any]]
# Who acts: (user id, username) of a member of staff; None for a client on a link
# or the system (no user).
Who = tuple[int, str] | None


class Trail:
    """The audit entries the practice's past implies, collected as it is built and
    chained in time order at the end (`_bulk_audit`)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.entries: list[Entry] = []

    def log(
        self,
        at: dt.datetime,
        who: Who,
        action: str,
        model: type[models.Model] | None,
        object_id: int | None,
        client_id: int | None,
        detail: dict[str, Any] | None = None,
        ip: str | None = None,
    ) -> None:
        """One entry, as `audit.services.log_action` would write it at `at` (never
        later than now: nothing in the trail happens in the future)."""
        if at > self.now:
            return
        self.entries.append(
            (
                at,
                who[0] if who else None,
                who[1] if who else "",
                action,
                model._meta.label_lower if model is not None else "",
                str(object_id) if object_id is not None else "",
                client_id,
                ip,
                detail or {},
            )
        )


# --- Dates ------------------------------------------------------------------------


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime at that local time of the practice."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def weekday_on_or_after(day: dt.date) -> dt.date:
    """The day itself, or the Monday after a weekend day (the practice is open Mon–Fri)."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() > 4 else 0)


# Area codes for invented numbers: N11 codes are service numbers (411, 911), not areas.
_AREAS = [area for area in range(201, 990) if area % 100 != 11]


def fictional_phone(index: int, *, second_half: bool = False) -> str:
    """`(NPA) 555-01xx`: 555-0100 to 555-0199 are reserved for fiction in every area code
    (NANPA), so numbers stay invented while the area code varies them, as a real
    practice's do; one shared number would make every duplicate check in the inbox
    match a hundred clients (issue 14). `second_half` starts half way through the area
    codes, so two series (clients, requests that never became one) do not overlap."""
    block = index // 100 + (len(_AREAS) // 2 if second_half else 0)
    return f"({_AREAS[block % len(_AREAS)]}) 555-01{index % 100:02d}"
