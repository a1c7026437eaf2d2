"""Reads compiled once (common/prepared.py): the same SQL, parameters and rows as the
ORM's, for every Prepared of the project and for the kinds of query it might hold."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Count, QuerySet
from django.test import TestCase, override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from accounts.models import User
from audit.models import AuditEvent
from bls.models import DesensitisationSet, EmdrRecord
from bls.tests.support import add_set, make_emdr_appointment
from clients.models import Client
from common import prepared
from common.prepared import REGISTRY, NotPreparable, Prepared, _forget
from pathways.testing import BaseTestCase, make_client
from scheduling.models import Appointment

ROOT = Path(django_settings.BASE_DIR)

# Each kind of argument, over the whole range a call may hand to the SQL as it is.
VALUES: dict[type, st.SearchStrategy[Any]] = {
    int: st.integers(-(2**31) + 1, 2**31 - 1),
    str: st.text(max_size=40),
    dt.datetime: st.datetimes(
        # Naive bounds, as hypothesis wants them; the values drawn are aware.
        min_value=dt.datetime(1, 1, 2),  # noqa: DTZ001
        max_value=dt.datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=st.sampled_from([dt.UTC, ZoneInfo("America/New_York")]),
    ),
    dt.date: st.dates(),
}


def _project_prepared() -> list[Prepared[Any]]:
    """Every Prepared of the project: the modules that make one, imported."""
    for path in ROOT.glob("*/**/*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or "tests" in parts or "migrations" in parts:
            continue
        if path.name != "prepared.py" and "@Prepared" in path.read_text():
            importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return [p for p in REGISTRY if ".tests." not in p.key]


def _orm_sql(query: Prepared[Any], values: dict[str, Any]) -> tuple[str, list[Any]]:
    queryset = query.build(**values)
    alias = queryset.db
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    return sql, list(params)


# The kinds of read a Prepared may hold, made here (a test module's queries are left
# out of the project's list above).
@Prepared
def _clients_of(*, therapist: int, born_after: dt.date) -> QuerySet[Client]:
    return (
        Client.objects.filter(assigned_therapist_id=therapist, date_of_birth__gt=born_after)
        .select_related("assigned_therapist")
        .annotate(n=Count("appointments"))
        .order_by("last_name", "pk")
    )


@Prepared
def _names(*, therapist: int) -> QuerySet[Client, tuple[str, str]]:
    return (
        Client.objects.filter(assigned_therapist_id=therapist)
        .values_list("last_name", "first_name")
        .order_by("pk")
    )


@Prepared
def _ids(*, last_name: str) -> QuerySet[Client, int]:
    return Client.objects.filter(last_name=last_name).values_list("pk", flat=True).order_by("pk")


@Prepared
def _on_day(*, day: dt.date) -> QuerySet[Appointment, int]:
    # A lookup whose SQL names the current time zone (SQLite) or casts in it.
    return Appointment.objects.filter(starts_at__date=day).values_list("pk", flat=True)


@Prepared
def _since(*, at: dt.datetime) -> QuerySet[User, int]:
    return User.objects.filter(date_joined__gte=at).values_list("pk", flat=True).order_by("pk")


@Prepared
def _distinct_by_therapist(*, born_after: dt.date) -> QuerySet[Client]:
    # DISTINCT ordered by a joined column: the column rides in the SELECT (trimmed).
    born = Client.objects.filter(date_of_birth__gt=born_after)
    return born.distinct().order_by("assigned_therapist__username", "pk")


@Prepared
def _sets_over(*, passes: int) -> QuerySet[DesensitisationSet, int]:
    # A positive field: the ORM drops `> -1`, which would drop the NULLs in SQL.
    return DesensitisationSet.objects.filter(passes__gt=passes).values_list("pk", flat=True)


BUILT: list[int] = []


@Prepared
def _counted(*, therapist: int) -> QuerySet[Client, int]:
    BUILT.append(therapist)
    return Client.objects.filter(assigned_therapist_id=therapist).values_list("pk", flat=True)


@Prepared
def _of_therapist(*, therapist: int) -> QuerySet[Client, int]:
    return Client.objects.filter(assigned_therapist_id=therapist).values_list("pk", flat=True)


class ProjectPreparedTests(HypothesisTestCase):
    def test_it_finds_the_project_reads(self) -> None:
        # The signed-in request's: the session, the second factor, the grants.
        keys = {p.key for p in _project_prepared()}
        self.assertIn("accounts.session_store._session", keys)
        self.assertIn("accounts.middleware._authenticator", keys)
        self.assertIn("clients.queries._unexpired_grant", keys)

    @settings(max_examples=40, deadline=None)
    @given(data=st.data())
    def test_it_sends_the_orms_sql_and_parameters(self, data: st.DataObject) -> None:
        for query in _project_prepared():
            values = {name: data.draw(VALUES[kind]) for name, kind in query.kinds.items()}
            got = query.sql_with_params(**values)
            self.assertEqual(got, _orm_sql(query, values), query.key)


class PreparedTests(BaseTestCase):
    other: User
    ann: Client
    bea: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other = User.objects.create(username="other", role=cls.therapist.role)
        cls.ann = make_client(
            first_name="Ann", last_name="O'Brien & <b>", assigned_therapist=cls.therapist,
            date_of_birth=dt.date(1980, 5, 1),
        )  # fmt: skip
        cls.bea = make_client(
            first_name="Bea", last_name="Adams", assigned_therapist=cls.therapist,
            date_of_birth=dt.date(1990, 5, 1),
        )  # fmt: skip
        make_client(first_name="Cy", last_name="Adams", assigned_therapist=cls.other)
        make_client(first_name="Di", last_name="Nobody's")

    def assert_same_objects(self, got: list[Any], expected: list[Any]) -> None:
        self.assertEqual([self.fields(o) for o in got], [self.fields(o) for o in expected])

    @staticmethod
    def fields(obj: Any) -> dict[str, Any]:
        return {k: v for k, v in vars(obj).items() if k != "_state"}

    def test_it_gives_the_orms_instances_with_related_objects_and_annotations(self) -> None:
        for born_after in (dt.date(1900, 1, 1), dt.date(1985, 1, 1), dt.date(2000, 1, 1)):
            expected = list(_clients_of.build(therapist=self.therapist.pk, born_after=born_after))
            with self.assertNumQueries(1):
                got = _clients_of(therapist=self.therapist.pk, born_after=born_after)
                # select_related: the therapist is there, without a query of its own.
                names = [getattr(c.assigned_therapist, "username", "") for c in got]
            self.assertEqual(names, ["therapist"] * len(expected))
            self.assert_same_objects(got, expected)
            self.assertEqual(
                [getattr(c, "n") for c in got],  # noqa: B009  (an annotation)
                [getattr(c, "n") for c in expected],  # noqa: B009
            )
            self.assertEqual([c._state.db for c in got], ["default"] * len(got))
            self.assertFalse(any(c._state.adding for c in got))

    def test_it_gives_the_orms_values_lists(self) -> None:
        self.assertEqual(
            _names(therapist=self.therapist.pk), list(_names.build(therapist=self.therapist.pk))
        )
        self.assertEqual(len(_names(therapist=self.therapist.pk)), 2)
        for name in ("Adams", "O'Brien & <b>", "", "%", "Adams' OR 1=1 --"):
            self.assertEqual(_ids(last_name=name), list(_ids.build(last_name=name)))
        self.assertEqual(len(_ids(last_name="Adams")), 2)

    def test_it_builds_the_query_once_per_connection(self) -> None:
        _forget()
        BUILT.clear()
        for _ in range(3):
            _counted(therapist=self.therapist.pk)
            _counted(therapist=self.other.pk)
        # The model and alias once (per process), then the SQL with two sets of
        # stand-ins and the integer's range: never again for the calls.
        built = len(BUILT)
        self.assertGreater(built, 0)
        self.assertEqual(_counted(therapist=self.other.pk), [self.other.assigned_clients.get().pk])
        self.assertEqual(len(BUILT), built)

    def test_it_keeps_a_query_per_builder_not_per_name(self) -> None:
        def first(*, pk: int) -> QuerySet[User, str]:
            return User.objects.filter(pk=pk).values_list("username", flat=True)

        def second(*, pk: int) -> QuerySet[Client, str]:
            return Client.objects.filter(pk=pk).values_list("last_name", flat=True)

        second.__qualname__ = first.__qualname__
        users, clients = Prepared(first), Prepared(second)
        self.assertEqual(users(pk=self.therapist.pk), ["therapist"])
        self.assertEqual(clients(pk=self.ann.pk), ["O'Brien & <b>"])
        del prepared.REGISTRY[-2:]

    def test_it_trims_the_columns_an_order_adds(self) -> None:
        for born_after in (dt.date(1900, 1, 1), dt.date(1985, 1, 1)):
            expected = list(_distinct_by_therapist.build(born_after=born_after))
            self.assert_same_objects(_distinct_by_therapist(born_after=born_after), expected)
            self.assertEqual(len(expected), 2 if born_after.year == 1900 else 1)

    def test_it_leaves_to_the_orm_a_value_beyond_its_fields_range(self) -> None:
        now = timezone.now()
        appointment = make_emdr_appointment(self.ann, self.therapist, now)
        record = EmdrRecord.objects.create(appointment=appointment, created_by=self.therapist)
        counted = add_set(record, 1, now, self.therapist)  # 24 passes
        unknown = add_set(record, 2, now, self.therapist)
        DesensitisationSet.objects.filter(pk=unknown.pk).update(passes=None, seconds=30)
        # -1 is below a positive field's range: the ORM keeps every row, NULL or not.
        self.assertEqual(sorted(_sets_over(passes=-1)), sorted(_sets_over.build(passes=-1)))
        self.assertEqual(sorted(_sets_over(passes=-1)), [counted.pk, unknown.pk])
        self.assertEqual(_sets_over(passes=3), [counted.pk])
        self.assertEqual(_sets_over(passes=30), [])

    def test_it_leaves_to_the_orm_a_value_it_would_treat_otherwise(self) -> None:
        of = _of_therapist
        # None is IS NULL to the ORM; a number beyond 32 bits, bool, a naive datetime.
        nobody = list(Client.objects.filter(assigned_therapist=None).values_list("pk", flat=True))
        self.assertEqual(of(therapist=None), nobody)
        self.assertEqual(len(nobody), 1)
        self.assertEqual(of(therapist=2**40), [])
        self.assertEqual(of(therapist=True), list(of.build(therapist=True)))
        naive = dt.datetime(2020, 1, 1)  # noqa: DTZ001  (the point of the test)
        with self.assertWarns(RuntimeWarning):  # the ORM's own warning: it ran there
            _since(at=naive)

    def test_it_compiles_again_in_another_time_zone(self) -> None:
        day = timezone.localdate()
        for zone in ("America/New_York", "Pacific/Kiritimati", "UTC"):
            with timezone.override(ZoneInfo(zone)):
                self.assertEqual(
                    _on_day.sql_with_params(day=day),
                    _orm_sql(_on_day, {"day": day}),
                )
                self.assertEqual(_on_day(day=day), list(_on_day.build(day=day)))

    def test_it_compiles_again_when_a_setting_changes(self) -> None:
        # `__date` on SQLite names the time zones only when times are aware.
        day = timezone.localdate()
        aware = _on_day.sql_with_params(day=day)
        self.assertEqual(aware, _orm_sql(_on_day, {"day": day}))
        with override_settings(USE_TZ=False):
            self.assertEqual(_on_day.sql_with_params(day=day), _orm_sql(_on_day, {"day": day}))
            at = dt.datetime(2020, 1, 1)  # noqa: DTZ001  (USE_TZ off)
            self.assertEqual(_since.sql_with_params(at=at), _orm_sql(_since, {"at": at}))

    def test_it_refuses_a_lookup_that_bends_the_value_and_only_that(self) -> None:
        def iexact(*, name: str) -> QuerySet[Client, int]:
            # SQLite's iexact is a LIKE: the ORM escapes % and _ in the value.
            # PostgreSQL's compares UPPER() of each side: the value goes in as it is.
            return Client.objects.filter(last_name__iexact=name).values_list("pk", flat=True)

        query = Prepared(iexact)
        try:
            for name in ("Ad_ms", "ADAMS", "%", "o'brien & <B>"):
                self.assertEqual(sorted(query(name=name)), sorted(iexact(name=name)), name)
        except NotPreparable:
            self.assertEqual(connection.vendor, "sqlite")
        else:
            self.assertNotEqual(connection.vendor, "sqlite")
            self.assertEqual(len(query(name="ADAMS")), 2)
        finally:
            prepared.REGISTRY.remove(query)

    def test_it_refuses_what_it_cannot_reproduce(self) -> None:
        def icontains(*, pk: int) -> QuerySet[Client]:
            return Client.objects.filter(last_name__icontains=str(pk))

        def prefetching(*, pk: int) -> QuerySet[Client]:
            return Client.objects.filter(pk=pk).prefetch_related("appointments")

        def dicts(*, pk: int) -> QuerySet[Client, Any]:
            return Client.objects.filter(pk=pk).values("pk")

        def nothing(*, pk: int) -> QuerySet[Client]:
            return Client.objects.filter(pk=pk).none()

        def twice(*, pk: int) -> QuerySet[Client]:
            # As it is once, and bent into a LIKE pattern once.
            return Client.objects.filter(pk=pk, last_name__contains=str(pk))

        def derived(*, day: dt.date) -> QuerySet[Client]:
            # A value computed from an argument would be kept from the stand-in.
            week = day + dt.timedelta(days=7)
            return Client.objects.filter(date_of_birth__gte=day, date_of_birth__lt=week)

        def chosen(*, pk: int) -> QuerySet[Client]:
            # An argument that chooses a filter, not only a value.
            clients = Client.objects.filter(pk=pk)
            return clients.filter(first_name="Ann") if pk % 1000 > 250 else clients

        def stripped(*, name: str) -> QuerySet[Client]:
            return Client.objects.filter(last_name=name.strip())

        def address(*, name: str) -> QuerySet[AuditEvent]:
            # An IP address is normalised by its field.
            return AuditEvent.objects.filter(ip=name)

        def related(*, pk: int) -> QuerySet[Client]:
            return self.therapist.assigned_clients.filter(pk=pk)

        def locking(*, pk: int) -> QuerySet[Client]:
            return Client.objects.filter(pk=pk).select_for_update()

        refused: list[Any] = [
            icontains, twice, derived, chosen, stripped, address, prefetching, dicts, nothing,
            locking,
        ]  # fmt: skip
        for build in refused:
            with self.subTest(build.__name__), self.assertRaises(NotPreparable):
                query = Prepared(build)
                sample = {int: self.ann.pk, dt.date: self.ann.date_of_birth, str: "Ad_ms"}
                query(**{name: sample[kind] for name, kind in query.kinds.items()})
            prepared.REGISTRY.pop()

        def positional(pk: int) -> QuerySet[Client]:
            return Client.objects.filter(pk=pk)

        def boolean(*, flag: bool) -> QuerySet[User]:
            return User.objects.filter(is_active=flag)

        def clock(*, pk: int) -> QuerySet[Client]:
            return Client.objects.filter(pk=pk, created_at__lte=timezone.now())

        unfit: list[Any] = [positional, boolean, related, clock]
        for build in unfit:
            with self.subTest(build.__name__), self.assertRaises(NotPreparable):
                Prepared(build)


class SqlOnThisDatabaseTests(TestCase):
    def test_it_runs_where_the_router_sends_the_read(self) -> None:
        # The SQL is the one this connection's backend writes (SQLite or PostgreSQL).
        sql, _params = _ids.sql_with_params(last_name="x")
        self.assertIn(connection.ops.quote_name("clients_client"), sql)
