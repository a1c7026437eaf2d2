"""Rows inserted as `bulk_create` inserts them, without a model instance per row.

`insert_rows(Model, rows)` writes each row (a dict of attribute names: `client_id`, not
`client`) with one prepared INSERT for all of them. Each value goes through its field's
own `get_db_prep_save`, as `bulk_create` sends it; a column the row leaves out takes
its field's default (`timezone.now` called for each row, as each instance calls it).
Checks and foreign keys are the database's, as for `bulk_create`.

Why: the partner portal's lists write one disclosure per referral shown (up to 25 a
page). `bulk_create` built a model instance for each, compiled the INSERT on every
request and read back the new ids nobody used: a fifth of the portal home's work
(`make bench-work`, issue 14). Like `bulk_create`, this calls no `save()` and sends no
signal; unlike it, it returns nothing (no ids, no instances). Only for models with an
automatic primary key and no `pre_save` of their own (`auto_now`, an upload): `for_model`
refuses the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connections, models, router, transaction


@dataclass(frozen=True)
class _Insert:
    sql: str
    fields: tuple[models.Field[Any, Any], ...]


@cache
def for_model(model: type[models.Model], vendor: str) -> _Insert:
    """The model's INSERT (every concrete column but the automatic key), once per process
    and database vendor."""
    meta = model._meta
    if not isinstance(meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
        raise TypeError(f"{model.__name__}: insert_rows takes models with an automatic key.")
    fields = tuple(f for f in meta.concrete_fields if f is not meta.pk)
    for field in fields:
        if type(field).pre_save is not models.Field.pre_save and not _plain_date(field):
            raise TypeError(f"{model.__name__}.{field.name} computes its value on save.")
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608  (names from the model)
    return _Insert(sql, fields)


def _plain_date(field: models.Field[Any, Any]) -> bool:
    """A date or time field without auto_now(_add): its pre_save returns the value."""
    return isinstance(field, models.DateField) and not (
        getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    )


def insert_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` of `model`, each value prepared as `bulk_create` prepares it."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    insert = for_model(model, connection.vendor)
    known = {f.attname for f in insert.fields}
    values = []
    for row in rows:
        unknown = row.keys() - known
        if unknown:
            raise TypeError(f"{model.__name__} has no column {sorted(unknown)}")
        values.append(
            [
                field.get_db_prep_save(
                    row[field.attname] if field.attname in row else field.get_default(),
                    connection,
                )
                for field in insert.fields
            ]
        )
    # All or nothing, as bulk_create: on SQLite outside a transaction the rows before a
    # refused one would stay.
    with (
        transaction.atomic(using=connection.alias, savepoint=False),
        connection.cursor() as cursor,
    ):
        cursor.executemany(insert.sql, values)
