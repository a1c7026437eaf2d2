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
    names: frozenset[str]  # the fields' attribute names


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
    return _Insert(sql, fields, frozenset(f.attname for f in fields))


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
    values = [_values(model, insert, connection, row) for row in rows]
    # All or nothing, as bulk_create: on SQLite outside a transaction the rows before a
    # refused one would stay.
    with (
        transaction.atomic(using=connection.alias, savepoint=False),
        connection.cursor() as cursor,
    ):
        cursor.executemany(insert.sql, values)


def insert_one(model: type[models.Model], row: Mapping[str, Any]) -> int:
    """Insert one row of `model` as `Model.objects.create` writes it, and return its key.

    Each value is prepared by its field, as the ORM's INSERT prepares it; the key comes
    back as the ORM reads it (`RETURNING`, or the backend's last insert id). Like
    `insert_rows`, it calls no `save()` and sends no signal. Why: the audit trail writes
    one entry a page, and `create` compiled the INSERT each time (issue 14)."""
    connection = connections[router.db_for_write(model)]
    insert = for_model(model, connection.vendor)
    values = _values(model, insert, connection, row)
    sql = _returning(model, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if connection.features.can_return_columns_from_insert:
            return int(cursor.fetchone()[0])
        meta = model._meta
        return int(connection.ops.last_insert_id(cursor, meta.db_table, str(meta.pk.column)))


def _values(
    model: type[models.Model], insert: _Insert, connection: Any, row: Mapping[str, Any]
) -> list[Any]:
    unknown = row.keys() - insert.names
    if unknown:
        raise TypeError(f"{model.__name__} has no column {sorted(unknown)}")
    return [
        field.get_db_prep_save(
            row[field.attname] if field.attname in row else field.get_default(), connection
        )
        for field in insert.fields
    ]


@cache
def _returning(model: type[models.Model], vendor: str) -> str:
    """The model's INSERT, returning its key where the database can (as the ORM asks)."""
    connection = connections[router.db_for_write(model)]
    sql = for_model(model, vendor).sql
    if not connection.features.can_return_columns_from_insert:
        return sql
    # Not in django-stubs; every backend that can return columns has it.
    returning, params = connection.ops.return_insert_columns([model._meta.pk])  # type: ignore[attr-defined]
    if params:  # a backend that returns through parameters (Oracle's INTO): not handled
        raise TypeError(f"insert_one cannot read the key back on {vendor}.")
    return f"{sql} {returning}"
