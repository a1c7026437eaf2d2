"""The read replica for the reports (issue 14 §5): pathways.db_router, the scope of
common.replica.reads_from_replica, and the start-up check of pathways.settings_check.

The replica alias is added to the connections for the classes that need it, as a
mirror of the test database (settings give it TEST MIRROR "default" when
REPLICA_DATABASE_URL is set), and removed after them: the test database is set up once
per run from the settings, which have no replica. Those classes are transactional: a
mirror is a second connection to the same database, which sees only committed rows (a
TestCase's data sits in a transaction of the primary's connection, and a read inside a
transaction on the primary stays on the primary by design).
"""

from __future__ import annotations

import copy
import json
from typing import Any, ClassVar

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.test import SimpleTestCase, TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.actor import Actor
from accounts.models import Role, User
from audit.models import AuditChainHead, AuditEvent
from audit.services import log_action
from common.prepared import Prepared
from common.replica import reads_from_replica, replica_reads
from measures.outcomes import cache as outcomes_cache
from measures.tests.factories import day, give_dose, load_instruments, make_score
from pathways.db_router import ReplicaRouter
from pathways.settings_check import REPLICA
from pathways.testing import (
    assert_refused,
    import_settings,
    make_client,
    make_course,
    make_user,
    reauthenticate,
)
from treatment.models import Modality


def add_replica() -> None:
    """The "replica" alias, as settings define it, pointing at the test database."""
    replica = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    replica["TEST"] = {**replica["TEST"], "MIRROR": DEFAULT_DB_ALIAS}
    connections.settings[REPLICA] = replica


def remove_replica() -> None:
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


def sql_of(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries]


def touching(statements: list[str], table: str, verb: str = "SELECT") -> list[str]:
    """The statements of `verb` on `table` (a read through PostgreSQL's server-side cursor,
    as `QuerySet.iterator` makes, is a DECLARE ... FOR SELECT)."""
    verbs = (verb, "DECLARE") if verb == "SELECT" else (verb,)
    return [s for s in statements if s.lstrip().upper().startswith(verbs) and table in s]


@reads_from_replica
def _in_scope(job: Any) -> Any:
    return job()


@Prepared
def _staff(*, pk: int) -> QuerySet[User]:
    return User.objects.filter(pk=pk)


class ReplicaTestCase(TransactionTestCase):
    databases: ClassVar[set[str]] = {DEFAULT_DB_ALIAS, REPLICA}  # type: ignore[misc]

    @classmethod
    def setUpClass(cls) -> None:
        add_replica()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        remove_replica()

    def setUp(self) -> None:
        self.admin = make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)
        self.client.force_login(self.admin)

    def both(self, send: Any) -> tuple[Any, list[str], list[str]]:
        """`send()` with the queries of each connection: (its result, primary, replica)."""
        with (
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
            CaptureQueriesContext(connections[REPLICA]) as replica,
        ):
            result = send()
            if isinstance(result, StreamingHttpResponse):
                result.content_for_test = b"".join(result.streaming_content)  # type: ignore[attr-defined, arg-type]
        return result, sql_of(primary), sql_of(replica)

    # --- the outcomes report -----------------------------------------------------

    def outcomes_practice(self) -> None:
        load_instruments()
        therapist = make_user("therapist", Role.THERAPIST)
        client = make_client(first_name="Ada", last_name="Kapper")
        course = make_course(client, therapist, modality=Modality.KAP)
        give_dose(course, day(2026, 1, 20))
        make_score(client, "phq9", 20, day(2026, 1, 5))
        make_score(client, "phq9", 8, day(2026, 3, 5))

    def test_it_reads_the_outcomes_report_from_the_replica(self) -> None:
        self.outcomes_practice()
        query = {"from": "2026-01-01", "to": "2026-12-31"}
        response: Any
        response, primary, replica = self.both(
            lambda: self.client.get(reverse("outcomes:report"), query)
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["result"].included[0].baseline.total, 20)
        # The report's reads: the instruments, the courses, the first doses, and the
        # grouped query of measures.outcomes.aggregate (raw SQL), all on the replica...
        self.assertTrue(touching(replica, "measures_instrument"))
        self.assertTrue(touching(replica, "treatment_treatmentcourse"))
        self.assertTrue([s for s in replica if "WITH dose" in s])
        # ...and none of them on the primary, which only writes the audit entry.
        for table in ("measures_response", "measures_instrument", "treatment_treatmentcourse"):
            self.assertEqual(touching(primary, table), [], table)
        self.assertTrue(touching(primary, "audit_auditevent", "INSERT"))
        self.assertEqual(touching(replica, "audit_auditevent", "INSERT"), [])
        entry = AuditEvent.objects.get(action="outcomes.report_view")
        self.assertEqual(entry.detail["included"], 1)

    def test_it_reads_the_outcomes_chart_and_export_from_the_replica(self) -> None:
        self.outcomes_practice()
        reauthenticate(self.client)
        query = {"from": "2026-01-01", "to": "2026-12-31"}
        pages = (("report_chart", "outcomes.chart_view"), ("export", "outcomes.export"))
        for name, action in pages:
            with self.subTest(name):
                outcomes_cache.forget()  # each works the report out (else it is kept)
                response, primary, replica = self.both(
                    lambda name=name: self.client.get(reverse(f"outcomes:{name}"), query)
                )
                self.assertEqual(response.status_code, 200)
                self.assertTrue([s for s in replica if "WITH dose" in s])
                # The data version is read where the data is (measures.outcomes.cache).
                self.assertTrue(touching(replica, "measures_outcomesdataversion"))
                self.assertEqual(touching(primary, "measures_outcomesdataversion"), [])
                self.assertEqual(touching(primary, "treatment_treatmentcourse"), [])
                self.assertTrue(touching(primary, "audit_auditevent", "INSERT"))
                self.assertTrue(AuditEvent.objects.filter(action=action).exists())

    # --- the audit report --------------------------------------------------------

    def test_it_reads_the_audit_report_from_the_replica(self) -> None:
        morgan = make_client(first_name="Morgan", last_name="Ellis")
        log_action(Actor.for_user(self.admin), "client.view", morgan, client=morgan)
        response, primary, replica = self.both(lambda: self.client.get("/staff/audit/"))
        assert isinstance(response, HttpResponse)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Ellis, Morgan")
        # The page of entries and the names of their clients come from the replica...
        self.assertTrue(touching(replica, "audit_auditevent"))
        self.assertTrue(touching(replica, "clients_client"))
        self.assertEqual(touching(primary, "clients_client"), [])
        # ...and the report's own audit entry is written on the primary, the end of
        # the chain read there under its lock (in the transaction of the write).
        self.assertTrue(touching(primary, "audit_auditevent", "INSERT"))
        self.assertTrue(touching(primary, "audit_auditchainhead"))
        self.assertEqual(touching(replica, "audit_auditchainhead"), [])
        self.assertTrue(AuditEvent.objects.filter(action="audit.report.view").exists())

    def test_it_streams_the_audit_export_from_the_replica(self) -> None:
        log_action(Actor.for_user(self.admin), "request.list")
        reauthenticate(self.client)
        response, primary, replica = self.both(lambda: self.client.get("/staff/audit/export.csv"))
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"request.list", response.content_for_test)
        # The rows are read while the body streams, after the view has returned: still
        # on the replica, with the count the view's audit entry records.
        rows = touching(replica, "audit_auditevent")
        self.assertGreaterEqual(len(rows), 2, rows)
        self.assertEqual(
            [s for s in touching(primary, "audit_auditevent") if "COUNT" in s.upper()], []
        )
        self.assertTrue(touching(primary, "audit_auditevent", "INSERT"))
        self.assertFalse(replica_reads())  # the scope is closed once the body is read

    def test_it_reads_the_audit_trail_in_the_admin_from_the_replica(self) -> None:
        log_action(Actor.for_user(self.admin), "request.list")
        response, primary, replica = self.both(lambda: self.client.get("/admin/audit/auditevent/"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "request.list")
        self.assertTrue(touching(replica, "audit_auditevent"))
        self.assertEqual(touching(primary, "audit_auditevent"), [])

    # --- everything else ---------------------------------------------------------

    def test_it_reads_other_pages_from_the_primary(self) -> None:
        client = make_client(first_name="Morgan", last_name="Ellis")
        for url in ("/staff/", f"/staff/clients/{client.pk}/", "/staff/clients/"):
            with self.subTest(url):
                response, primary, replica = self.both(lambda url=url: self.client.get(url))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(replica, [])
                self.assertTrue(primary)

    def test_it_reads_who_is_signed_in_from_the_primary(self) -> None:
        # The session, the user and the role are read before the scope opens: a user
        # deactivated a moment ago is refused even if the replica has not caught up.
        _response, primary, replica = self.both(lambda: self.client.get("/staff/audit/"))
        self.assertTrue(touching(primary, "django_session"))
        self.assertTrue(touching(primary, "accounts_user"))
        self.assertEqual(touching(replica, "django_session"), [])
        # (The navigation's counts, read while the page renders, are on the replica: a
        # moment behind is fine for a count.)
        users = [s for s in touching(replica, "accounts_user") if "count_requests" not in s]
        self.assertEqual(users, [])

    def test_it_sends_a_prepared_read_where_the_router_says(self) -> None:
        # common.prepared asks the router at every call, as the ORM does, and keeps a
        # compiled query per connection.
        pk = self.admin.pk
        found, primary, replica = self.both(lambda: _in_scope(lambda: _staff(pk=pk)))
        self.assertEqual([(u.pk, u._state.db) for u in found], [(pk, REPLICA)])
        self.assertTrue(touching(replica, "accounts_user"))
        self.assertEqual(touching(primary, "accounts_user"), [])
        found, primary, replica = self.both(lambda: _staff(pk=pk))
        self.assertEqual([(u.pk, u._state.db) for u in found], [(pk, DEFAULT_DB_ALIAS)])
        self.assertEqual(touching(replica, "accounts_user"), [])
        self.assertTrue(touching(primary, "accounts_user"))

    def test_it_writes_to_the_primary_in_the_scope(self) -> None:
        other = make_user("other", Role.INTAKE)

        def rename() -> User:
            user = User.objects.get(pk=other.pk)  # read from the replica
            self.assertEqual(user._state.db, REPLICA)
            user.first_name = "Renamed"
            user.save()  # written to the primary, not where it was read
            return user

        _result, primary, replica = self.both(lambda: _in_scope(rename))
        self.assertTrue(touching(primary, "accounts_user", "UPDATE"))
        self.assertEqual(touching(replica, "accounts_user", "UPDATE"), [])
        self.assertEqual(User.objects.get(pk=other.pk).first_name, "Renamed")

    def test_it_reads_inside_a_transaction_on_the_primary_from_the_primary(self) -> None:
        def in_transaction() -> tuple[str, str]:
            outside = router.db_for_read(AuditEvent)
            with transaction.atomic():
                inside = router.db_for_read(AuditEvent)
            return outside, inside

        self.assertEqual(_in_scope(in_transaction), (REPLICA, DEFAULT_DB_ALIAS))
        self.assertEqual(router.db_for_read(AuditEvent), DEFAULT_DB_ALIAS)  # out of scope


class WithoutReplicaTestCase(TestCase):
    """REPLICA_DATABASE_URL unset (the test settings): no alias, every read to default."""

    def test_it_sends_every_read_to_the_primary(self) -> None:
        self.assertNotIn(REPLICA, connections.settings)
        self.assertEqual(_in_scope(lambda: router.db_for_read(AuditEvent)), DEFAULT_DB_ALIAS)
        self.assertEqual(_in_scope(lambda: router.db_for_write(AuditEvent)), DEFAULT_DB_ALIAS)

    def test_it_serves_the_reports_from_the_primary(self) -> None:
        admin = make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary:
            response = self.client.get("/staff/audit/")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(touching(sql_of(primary), "audit_auditevent"))
        self.assertTrue(AuditEvent.objects.filter(action="audit.report.view").exists())


class RouterRulesTestCase(SimpleTestCase):
    def test_it_migrates_the_primary_only(self) -> None:
        rules = ReplicaRouter()
        self.assertTrue(rules.allow_migrate(DEFAULT_DB_ALIAS, "audit"))
        self.assertFalse(rules.allow_migrate(REPLICA, "audit"))
        self.assertFalse(rules.allow_migrate(REPLICA, "measures", model_name="response"))

    def test_it_writes_to_the_primary_always(self) -> None:
        self.assertEqual(ReplicaRouter().db_for_write(AuditChainHead), DEFAULT_DB_ALIAS)


SHOW = (
    "import json; from django.conf import settings; "
    "print(json.dumps({'dbs': settings.DATABASES, 'routers': settings.DATABASE_ROUTERS},"
    " default=str))"
)
START = "import django; django.setup()"


class ReplicaSettingsTestCase(SimpleTestCase):
    """The settings, imported in a fresh process with a given environment."""

    def settings_with(self, **env: str) -> dict[str, Any]:
        result = import_settings(SHOW, DJANGO_SETTINGS_MODULE="pathways.settings", **env)
        self.assertEqual(result.returncode, 0, result.stderr)
        found: dict[str, Any] = json.loads(result.stdout)
        return found

    def test_it_defines_the_replica_alias_from_its_url(self) -> None:
        found = self.settings_with(
            DATABASE_URL="postgres://app@db.example:5432/pathways",
            REPLICA_DATABASE_URL="postgres://reader@replica.example:5432/pathways",
        )
        primary, replica = found["dbs"]["default"], found["dbs"][REPLICA]
        self.assertEqual(replica["HOST"], "replica.example")
        self.assertEqual(replica["USER"], "reader")
        self.assertEqual(replica["ENGINE"], primary["ENGINE"])
        self.assertEqual(replica["CONN_MAX_AGE"], primary["CONN_MAX_AGE"])
        self.assertEqual(replica["TEST"], {"MIRROR": "default"})
        self.assertEqual(found["routers"], ["pathways.db_router.ReplicaRouter"])

    def test_it_gives_a_sqlite_replica_the_primarys_options(self) -> None:
        found = self.settings_with(
            DATABASE_URL="sqlite:////tmp/pathways-primary.sqlite3",
            REPLICA_DATABASE_URL="sqlite:////tmp/pathways-replica.sqlite3",
        )
        primary, replica = found["dbs"]["default"], found["dbs"][REPLICA]
        self.assertEqual(replica["OPTIONS"], primary["OPTIONS"])
        self.assertEqual(replica["NAME"], "/tmp/pathways-replica.sqlite3")  # noqa: S108

    def test_it_has_no_replica_alias_without_the_setting(self) -> None:
        found = self.settings_with(DATABASE_URL="postgres://app@db.example:5432/pathways")
        self.assertEqual(list(found["dbs"]), ["default"])

    def test_it_refuses_to_start_with_a_replica_of_another_engine(self) -> None:
        result = import_settings(
            START,
            DJANGO_SETTINGS_MODULE="pathways.settings",
            DATABASE_URL="postgres://app@db.example:5432/pathways",
            REPLICA_DATABASE_URL="sqlite:////tmp/pathways-replica.sqlite3",
        )
        assert_refused(result, "the read replica must be a copy of the primary database")

    def test_it_refuses_a_replica_url_it_cannot_parse(self) -> None:
        result = import_settings(
            START,
            DJANGO_SETTINGS_MODULE="pathways.settings",
            REPLICA_DATABASE_URL="nosuchdb://replica.example/pathways",
        )
        assert_refused(result, "REPLICA_DATABASE_URL cannot be parsed")
