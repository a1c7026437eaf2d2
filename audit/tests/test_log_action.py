from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.test import RequestFactory

from accounts.actor import Actor, actor_from
from accounts.models import User
from audit.models import AuditEvent
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
