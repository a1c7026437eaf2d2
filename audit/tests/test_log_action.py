from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpRequest
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts.actor import Actor, actor_from
from accounts.models import User
from audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from audit.services import log_action
from pathways.testing import BaseTestCase, make_client, make_request


class LogActionTestCase(BaseTestCase):
    def request(self, user: User | None = None, **meta: str) -> HttpRequest:
        request = RequestFactory().get("/staff/")
        request.META.update(meta)
        request.user = user or AnonymousUser()
        return request

    def test_it_records_who_what_about_whom_and_from_where(self) -> None:
        appt = make_request()
        client = make_client()
        before = datetime.now(UTC)

        event = log_action(
            actor_from(self.request(self.intake, REMOTE_ADDR="192.0.2.44")),
            "request.view",
            appt,
            client=client,
            detail={"page": 2},
        )

        event.refresh_from_db()
        assert event.actor == self.intake
        assert event.actor_username == "intake"
        assert event.action == "request.view"
        assert event.object_type == "intake.appointmentrequest"
        assert event.object_id == str(appt.pk)
        assert event.client_id == client.pk
        assert event.ip == "192.0.2.44"
        assert event.detail == {"page": 2}
        assert event.at.utcoffset() == timedelta(0)
        assert before <= event.at <= datetime.now(UTC)

    def test_it_records_an_anonymous_caller_without_an_actor(self) -> None:
        event = log_action(actor_from(self.request(REMOTE_ADDR="192.0.2.45")), "request.create")

        assert event.actor is None
        assert event.actor_username == ""
        assert event.ip == "192.0.2.45"

    def test_it_records_a_system_action_without_a_request(self) -> None:
        event = log_action(Actor.system(), "system.job")

        assert event.actor is None
        assert event.ip is None
        assert event.object_type == ""
        assert event.object_id == ""
        assert event.detail == {}

    def test_it_keeps_the_username_beside_the_actor(self) -> None:
        event = log_action(actor_from(self.request(self.therapist)), "client.list")
        self.therapist.username = "renamed"
        self.therapist.save()

        event.refresh_from_db()
        assert event.actor_username == "therapist"

    def test_it_orders_newest_first(self) -> None:
        first = log_action(Actor.system(), "one")
        second = log_action(Actor.system(), "two")

        assert list(AuditEvent.objects.all()) == [second, first]


class LogActionWritesAsTheOrmTestCase(BaseTestCase):
    """log_action writes its entry and moves the head with statements compiled once
    (common.inserts, issue 14): the entry it returns is the row stored, as `create`
    returned it, and the head names it."""

    def test_it_returns_the_entry_as_stored(self) -> None:
        client = make_client()
        request = RequestFactory().get("/staff/")
        request.META["REMOTE_ADDR"] = "2001:db8::0:1"  # stored in its short form
        request.user = self.therapist
        event = log_action(
            actor_from(request), "client.view", client, client=client, detail={"tab": 'é"<'}
        )

        stored = AuditEvent.objects.get(pk=event.pk)
        for field in AuditEvent._meta.concrete_fields:
            with self.subTest(field=field.name):
                assert getattr(event, field.attname) == getattr(stored, field.attname)
        assert event.ip == "2001:db8::1"
        assert event.actor is self.therapist  # no query: the user who acted
        assert not event._state.adding
        assert event._state.db == "default"
        with self.assertRaises(AppendOnlyError):
            event.save()  # a stored entry, as `create` left it

    def test_it_moves_the_head_to_each_new_entry(self) -> None:
        for action in ("one", "two"):
            event = log_action(Actor.system(), action)
            head = AuditChainHead.objects.get(pk=1)
            assert (head.last_id, head.last_hash, head.last_at) == (event.pk, event.hash, event.at)

    def test_it_writes_with_one_read_one_insert_and_one_update(self) -> None:
        log_action(Actor.system(), "warm")  # the head exists
        with CaptureQueriesContext(connection) as queries:
            log_action(Actor.system(), "counted")
        # The test's own transaction makes log_action's a savepoint.
        statements = [
            q["sql"].split()[0]
            for q in queries.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
        ]
        # PostgreSQL takes the chain's advisory lock first.
        extra = ["SELECT"] if connection.vendor == "postgresql" else []
        assert statements == [*extra, "SELECT", "INSERT", "UPDATE"], statements

    def test_it_refuses_an_actor_not_saved_as_create_did(self) -> None:
        with self.assertRaises(ValueError):
            log_action(Actor.for_user(User(username="unsaved"), "192.0.2.9"), "client.list")
        assert not AuditEvent.objects.filter(action="client.list").exists()
