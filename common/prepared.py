"""A read whose SQL is built once per process: `Prepared(build)` (issue 14).

Why: Django builds and compiles a queryset's SQL at every evaluation: the filters
resolved against the models, the joins, the SELECT list, the converters. For the short
queries every request makes (the session, the second factor, the break-glass grants)
and the sections of the busiest pages, that is most of the query's cost: on the
10,000-client practice the database answers them in 0.05 ms and Django takes ten
times that to ask. A page of 20 queries spends a third of its time there.

How: `build` is a module-level function of keyword-only arguments, each `int`, `str`,
`date` or `datetime`, that returns a queryset and uses its arguments only as values in
filters (never to choose which filters, never to compute another value, reading nothing
else that changes). At its first call on a database connection (per time zone and
`USE_TZ`) it is built with stand-ins, values no query holds, the SQL is compiled, and
each stand-in is looked for among the query's parameters. Each call then runs that SQL
with the stand-ins replaced by the call's values, adapted as the ORM adapts them, and
builds the rows as Django's own iterables do (instances with their `select_related`
objects, deferred fields and annotations, or `values_list` tuples).

It refuses (`NotPreparable`) what it cannot reproduce exactly, at the first call, rather
than answer differently: a stand-in missing from the parameters or bent by its lookup
(`__icontains` wraps it in `%`); SQL that is not the same text, or other parameters not
the same, when built again with a second set of stand-ins (a filter chosen by an
argument, a value computed from one); a text the field prepares before the SQL (probes:
an IPv6 address, LIKE's own characters, spaces, case); `prefetch_related`, `values()`
dicts, a related manager, `select_for_update`, an answer decided without SQL; and, when
decorated, a builder with free variables or that names the clock or the settings. An
`int` argument's range is probed (-1, 0, 2**31 - 1): a call whose value the ORM would
treat otherwise (beyond that range, None, a bool, a naive datetime, a type that is not
the one declared) runs through the ORM instead. `common/tests/test_prepared.py` checks,
for every Prepared of the project (`REGISTRY`), that the SQL and parameters of a call
are the ORM's for the same values, and the rows the same objects, and each refusal.
"""

from __future__ import annotations

import datetime as dt
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet, ValidationError
from django.core.signals import setting_changed
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.utils import timezone

T = TypeVar("T")

# The types an argument may be declared with, and the ORM's adaptation of each.
_KINDS = (int, str, dt.datetime, dt.date)
REGISTRY: list[Prepared[Any]] = []


class NotPreparable(Exception):
    """The queryset cannot be run from SQL compiled once: fix the builder."""


def _stand_in(kind: type, index: int, second: bool = False) -> Any:
    """The stand-in of the `index`th argument; `second`: another set, as unlike.

    A text holds what a lookup that bends its value would change (LIKE's `%`, `_` and
    `\\`, both cases, spaces at the ends, an IPv6 colon), so that such a lookup does not
    find it among the parameters, and is refused."""
    if kind is int:
        return 2_013_572_000 + index + (500 if second else 0)
    if kind is str:
        return f" Pathways:%_\\{'Other' if second else 'StandIn'}{index} "
    if kind is dt.datetime:
        # Aware, or naive where the project keeps naive times (USE_TZ off).
        zone = dt.UTC if settings.USE_TZ else None
        first = dt.datetime(1902 if second else 1901, 2, 3, 4, 5, 6, 7000, tzinfo=zone)
        return first + dt.timedelta(seconds=index)
    return dt.date(1904 if second else 1903, 2, 3) + dt.timedelta(days=index)


def _adapter(kind: type, connection: Any, param: Any) -> Callable[[Any], Any]:
    """How a call's value becomes the parameter, as the ORM made `param` of the
    stand-in."""
    if kind is dt.datetime:
        return connection.ops.adapt_datetimefield_value  # type: ignore[no-any-return]
    if kind is dt.date:
        return connection.ops.adapt_datefield_value  # type: ignore[no-any-return]
    if kind is int and param is not None and type(param) is not int:
        return type(param)  # psycopg's Int4, Int8, … for an integer field on PostgreSQL
    return lambda value: value


def _same(kind: type, param: Any, wanted: Any) -> bool:
    if kind is int:
        return isinstance(param, int) and not isinstance(param, bool) and int(param) == wanted
    return type(param) is type(wanted) and param == wanted


def _fits(kind: type, value: Any) -> bool:
    """Whether the ORM would put `value` into the SQL as is (after adapting it)."""
    if kind is int:
        return type(value) is int
    if kind is str:
        return isinstance(value, str)
    if kind is dt.datetime:
        # A naive time where times are aware: the ORM warns, and makes it aware.
        return isinstance(value, dt.datetime) and timezone.is_aware(value) == settings.USE_TZ
    return type(value) is dt.date


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str, Callable[[Any], Any]], ...]  # (position, name, adapt)
    bounds: dict[str, tuple[int, int]]  # an int argument's range the SQL holds for
    compiler: Any
    trim: int | None  # the columns to keep when the SELECT has extra ones
    converters: dict[int, Any]
    make: Callable[[list[Any], str], list[Any]]

    def bind(self, values: dict[str, Any]) -> list[Any]:
        params = list(self.params)
        for position, name, adapt in self.slots:
            params[position] = adapt(values[name])
        return params

    def holds(self, values: dict[str, Any]) -> bool:
        return all(low <= values[name] <= high for name, (low, high) in self.bounds.items())


# Names a builder must not read: what they give would be kept from the first call.
_FROZEN = {"now", "localdate", "localtime", "today", "settings", "random"}
_TEXTS = ("::FFFF:10.0.0.1", "a%b_c\\d", " x ", "Ab", "")
_INT_HIGH = 2**31 - 1  # an IntegerField's top on every backend: a larger value, the ORM


class Prepared(Generic[T]):
    """`Prepared(build)(**values)`: the list `list(build(**values))` would give."""

    def __init__(self, build: Callable[..., QuerySet[Any, T]]) -> None:
        where = build.__qualname__
        hints = typing.get_type_hints(build)
        parameters = inspect.signature(build).parameters.values()
        if any(p.kind is not p.KEYWORD_ONLY for p in parameters):
            raise NotPreparable(f"{where}: keyword-only arguments only")
        kinds = {p.name: hints.get(p.name) for p in parameters}
        for name, kind in kinds.items():
            if kind not in _KINDS:
                raise NotPreparable(f"{where}: {name} is not int, str, date or datetime")
        # What a builder reads besides its arguments is kept from the first call: a
        # variable of an enclosing function, the clock, the settings.
        code = build.__code__
        if code.co_freevars or _FROZEN & set(code.co_names):
            raise NotPreparable(f"{where}: reads more than its arguments")
        self.build = build
        self.kinds: dict[str, type] = kinds  # type: ignore[assignment]
        self.key = f"{build.__module__}.{build.__qualname__}"
        self._target: tuple[type[Model], str | None] | None = None
        REGISTRY.append(self)

    def __call__(self, **values: Any) -> list[T]:
        if values.keys() != self.kinds.keys() or not all(
            _fits(kind, values[name]) for name, kind in self.kinds.items()
        ):
            return list(self.build(**values))  # the ORM decides, as it always has
        alias, compiled = self._compiled()
        if not compiled.holds(values):
            return list(self.build(**values))  # beyond a field's range: the ORM's rule
        with connections[alias].cursor() as cursor:
            # The ORM's own SQL text, with every value a parameter: nothing of the call's
            # values is written into the text (test_prepared checks SQL and parameters).
            cursor.execute(compiled.sql, compiled.bind(values))
            rows: list[Any] = cursor.fetchall()
        if compiled.trim is not None:
            rows = [row[: compiled.trim] for row in rows]
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return compiled.make(rows, alias)

    def sql_with_params(self, **values: Any) -> tuple[str, list[Any]]:
        """The SQL and parameters a call with these values runs (for the tests)."""
        _alias, compiled = self._compiled()
        return compiled.sql, compiled.bind(values)

    def _stand_ins(self, second: bool = False) -> dict[str, Any]:
        kinds = enumerate(self.kinds.items())
        return {name: _stand_in(kind, i, second) for i, (name, kind) in kinds}

    def _compiled(self) -> tuple[str, _Compiled]:
        if self._target is None:
            sample = self.build(**self._stand_ins())
            self._target = (sample.model, sample._db)  # type: ignore[attr-defined]
        model, using = self._target
        alias = using or router.db_for_read(model)
        connection = connections[alias]
        cache: dict[tuple[Any, ...], _Compiled] = connection.__dict__.setdefault(
            "_pathways_prepared", {}
        )
        # This object, not its name: two builders of one name are two queries.
        key = (self, timezone.get_current_timezone_name(), settings.USE_TZ)
        compiled = cache.get(key)
        if compiled is None:
            compiled = cache[key] = self._compile(alias)
        return alias, compiled

    def _sql(self, alias: str, values: dict[str, Any]) -> tuple[Any, str, list[Any]]:
        """The compiler, SQL and parameters of the builder's queryset for `values`; no
        SQL when the ORM answers without it or refuses the value."""
        try:
            compiler = self.build(**values).query.get_compiler(using=alias)
            sql, params = compiler.as_sql()  # also fills select, klass_info, …
        except (EmptyResultSet, FullResultSet, ValueError, TypeError, ValidationError):
            return None, "", []
        return compiler, sql, list(params)

    def _compile(self, alias: str) -> _Compiled:
        connection = connections[alias]
        stand_ins = self._stand_ins()
        queryset = self.build(**stand_ins)
        where = self.key
        # Django's own attributes, which the stubs do not declare.
        if queryset._prefetch_related_lookups or queryset._known_related_objects:  # type: ignore[attr-defined]
            raise NotPreparable(f"{where}: a related manager or prefetch_related")
        iterable = queryset._iterable_class
        if iterable not in (ModelIterable, ValuesListIterable, FlatValuesListIterable):
            raise NotPreparable(f"{where}: model instances or values_list only")
        if queryset.query.select_for_update:
            raise NotPreparable(f"{where}: a read only (select_for_update)")
        compiler, sql, params = self._sql(alias, stand_ins)
        if not sql:
            raise NotPreparable(f"{where}: the ORM answers its stand-ins without SQL")
        slots = []
        for name, kind in self.kinds.items():
            wanted = _adapter(kind, connection, None)(stand_ins[name])
            found = [i for i, p in enumerate(params) if _same(kind, p, wanted)]
            # A lookup that bends the value (a LIKE pattern, a cast to text) would
            # need the ORM's own preparation at each call.
            text = str(wanted)
            bent = [i for i, p in enumerate(params) if i not in found and text in str(p)]
            if not found or bent:
                raise NotPreparable(f"{where}: {name} is not passed to the SQL as it is")
            slots += [(i, name, _adapter(kind, connection, params[i])) for i in found]
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            bounds={},
            compiler=compiler,
            trim=compiler.col_count if compiler.has_extra_select else None,
            converters={},
            make=_maker(compiler, iterable, alias),
        )

        def agrees(values: dict[str, Any]) -> bool:
            _c, again_sql, again = self._sql(alias, values)
            return again_sql == sql and again == compiled.bind(values)

        # Built again with other stand-ins, the SQL must be the same text and every other
        # parameter the same value: a builder that chose its filters by its arguments,
        # or computed a value from one (`monday + 7 days`), would otherwise keep the
        # first stand-in's for good.
        if not agrees(self._stand_ins(second=True)):
            raise NotPreparable(f"{where}: its SQL depends on its arguments beyond their values")
        for name, kind in self.kinds.items():
            # A text some field would prepare before the SQL (an IPv6 address written
            # the long way, LIKE's own characters, spaces): each must go in as it is.
            if kind is str and not all(agrees({**stand_ins, name: t}) for t in _TEXTS):
                raise NotPreparable(f"{where}: its field prepares {name} before the SQL")
            # An int: the ORM drops or empties a condition beyond its field's range (-1
            # for a positive field): such a call goes to the ORM.
            if kind is int:
                low = -_INT_HIGH
                if not agrees({**stand_ins, name: -1}):
                    low = 0
                if not agrees({**stand_ins, name: low}) or not agrees(
                    {**stand_ins, name: _INT_HIGH}
                ):
                    raise NotPreparable(f"{where}: {name} filters a field of a narrow range")
                compiled.bounds[name] = (low, _INT_HIGH)
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise NotPreparable(f"{where}: a composite key")
        compiled.converters.update(compiler.get_converters(fields))
        return compiled


def first_query(qs: QuerySet[Any, T]) -> QuerySet[Any, T]:
    """The query `qs.first()` runs (its own order, else by pk; one row), for a builder
    whose caller wants the first row: `found[0] if found else None`."""
    return (qs if qs.ordered else qs.order_by("pk"))[:1]


def with_parent(rows: list[T], name: str, parent: Model) -> list[T]:
    """`rows` of a builder that reads a relation (`record.vitals…` as
    `VitalSigns.objects.filter(record_id=…)`), each given `parent` as the relation's
    manager gives it: reading `row.<name>` then asks no query, as before."""
    for row in rows:
        setattr(row, name, parent)
    return rows


def _maker(compiler: Any, iterable: type, alias: str) -> Callable[[list[Any], str], list[Any]]:
    """What turns the converted rows into the iterable's items, worked out once per
    connection (`alias`: a compiled query is kept per connection)."""
    if iterable is FlatValuesListIterable:
        return lambda rows, alias: [row[0] for row in rows]
    if iterable is ValuesListIterable:
        return lambda rows, alias: [tuple(row) for row in rows]
    klass_info, select = compiler.klass_info, compiler.select
    model_cls: type[Model] = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    annotations = list(compiler.annotation_col_map.items())
    # As ModelIterable: the instance, its select_related objects, its annotations. The
    # populators keep only what they worked out from the SELECT: made once, not per call.
    # Django 5.2's signature (the stubs follow a later one, with fetch_mode).
    populators = get_related_populators(klass_info, select, alias)  # type: ignore[call-arg]

    def make(rows: list[Any], alias: str) -> list[Any]:
        found = []
        for row in rows:
            obj = model_cls.from_db(alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for attr_name, position in annotations:
                setattr(obj, attr_name, row[position])
            found.append(obj)
        return found

    return make


def _forget(**kwargs: Any) -> None:
    # A test that changes a setting may change what the ORM compiles (USE_TZ, the
    # databases): compile again.
    for connection in connections.all(initialized_only=True):
        connection.__dict__.pop("_pathways_prepared", None)


setting_changed.connect(_forget)
