"""Each entry carries the hash of its canonical content and of the entry before it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from accounts.actor import Actor
from audit.chain import GENESIS, canonical, chain_hash, event_hash
from audit.models import AuditChainHead, AuditEvent
from audit.services import log_action
from pathways.testing import BaseTestCase, make_client

CHAIN_FIELDS = {"id", "prev_hash", "hash"}


def content_of(event: AuditEvent) -> dict[str, object]:
    return dict(
        json.loads(
            canonical(
                at=event.at,
                actor_id=event.actor_id,
                actor_username=event.actor_username,
                action=event.action,
                object_type=event.object_type,
                object_id=event.object_id,
                client_id=event.client_id,
                ip=event.ip,
                detail=event.detail,
            )
        )
    )


class ChainTestCase(BaseTestCase):
    def test_it_chains_each_entry_to_the_one_before(self) -> None:
        first = log_action(Actor.system(), "request.view")
        second = log_action(Actor.for_user(self.admin, "192.0.2.1"), "client.list")

        assert first.prev_hash == GENESIS
        assert second.prev_hash == first.hash
        head = AuditChainHead.objects.get()
        assert (head.last_id, head.last_hash) == (second.pk, second.hash)

    def test_the_hash_is_that_of_the_stored_row(self) -> None:
        client = make_client()
        event = log_action(
            Actor.for_user(self.intake, "2001:db8::1"),
            "client.view",
            client,
            client=client,
            detail={"z": 1, "a": [1, "b"], "nested": {"y": None, "x": True}},
        )

        stored = AuditEvent.objects.get(pk=event.pk)
        assert event_hash(stored) == stored.hash == event.hash

    def test_the_content_names_every_stored_field(self) -> None:
        # A field added to the model without being hashed could be rewritten unseen.
        event = log_action(Actor.for_user(self.admin, "192.0.2.9"), "request.view")
        stored = {f.attname for f in AuditEvent._meta.concrete_fields} - CHAIN_FIELDS

        assert set(content_of(event)) == stored

    def test_a_change_to_any_field_changes_the_hash(self) -> None:
        base: dict[str, Any] = {
            "at": datetime(2030, 1, 1, tzinfo=UTC),
            "actor_id": 1,
            "actor_username": "a",
            "action": "x.y",
            "object_type": "t",
            "object_id": "1",
            "client_id": 2,
            "ip": "192.0.2.1",
            "detail": {"k": 1},
        }
        changed: dict[str, Any] = {
            "at": datetime(2030, 1, 1, 0, 0, 1, tzinfo=UTC),
            "actor_id": 3,
            "actor_username": "b",
            "action": "x.z",
            "object_type": "u",
            "object_id": "2",
            "client_id": 4,
            "ip": "192.0.2.2",
            "detail": {"k": 2},
        }
        reference = chain_hash(GENESIS, canonical(**base))
        for key, value in changed.items():
            with self.subTest(field=key):
                other = canonical(**{**base, key: value})
                assert chain_hash(GENESIS, other) != reference
        assert chain_hash("1" * 64, canonical(**base)) != reference

    def test_it_keeps_times_going_forward_when_the_clock_steps_back(self) -> None:
        later = log_action(Actor.system(), "request.view")
        head = AuditChainHead.objects.get()
        AuditChainHead.objects.filter(pk=head.pk).update(last_at=datetime(2099, 1, 1, tzinfo=UTC))

        event = log_action(Actor.system(), "request.view")

        assert event.at == datetime(2099, 1, 1, tzinfo=UTC)
        assert event.at >= later.at


@pytest.mark.django_db(transaction=True)
def test_it_writes_its_entry_in_a_transaction_of_its_own_when_called_outside_one() -> None:
    event = log_action(Actor.system(), "request.view")

    assert AuditChainHead.objects.get().last_id == event.pk
