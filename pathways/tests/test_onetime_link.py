"""common.onetime.OneTimeLink: the state of a one-time link and finding it by its token.

Checked on both concrete links (a consent request and a measure link), since each
gets its own copy of the shared manager.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import SimpleTestCase
from django.utils import timezone

from common.onetime import LinkState, OneTimeLink
from common.tokens import new_token, token_hash
from consents.models import ConsentRequest
from consents.tests.factories import make_consent_request
from measures.models import MeasureLink
from pathways.testing import BaseTestCase, make_client

NOW = dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC)
TICK = dt.timedelta(microseconds=1)


def link(**fields: Any) -> MeasureLink:
    """An unsaved link that expires at NOW unless told otherwise."""
    return MeasureLink(**{"expires_at": NOW, **fields})


class StateTests(SimpleTestCase):
    def test_it_is_open_until_the_instant_it_expires(self) -> None:
        self.assertEqual(link().state(NOW - TICK), LinkState.OPEN)
        self.assertTrue(link().is_open(NOW - TICK))
        self.assertEqual(link().state(NOW), LinkState.EXPIRED)
        self.assertFalse(link().is_open(NOW))

    def test_it_is_used_once_used_even_after_it_expires_or_is_cancelled(self) -> None:
        used = link(used_at=NOW - 2 * TICK, cancelled_at=NOW - TICK)
        for now in (NOW - TICK, NOW, NOW + dt.timedelta(days=30)):
            self.assertEqual(used.state(now), LinkState.USED)
            self.assertFalse(used.is_open(now))

    def test_it_is_cancelled_rather_than_expired_once_cancelled(self) -> None:
        cancelled = link(cancelled_at=NOW - dt.timedelta(hours=1))
        self.assertEqual(cancelled.state(NOW - TICK), LinkState.CANCELLED)
        self.assertEqual(cancelled.state(NOW + dt.timedelta(days=1)), LinkState.CANCELLED)
        self.assertFalse(cancelled.is_open(NOW - TICK))

    def test_it_reads_the_clock_when_no_time_is_given(self) -> None:
        self.assertTrue(link(expires_at=timezone.now() + dt.timedelta(minutes=5)).is_open())
        self.assertFalse(link(expires_at=timezone.now() - TICK).is_open())

    def test_it_is_the_base_of_both_links(self) -> None:
        self.assertTrue(issubclass(ConsentRequest, OneTimeLink))
        self.assertTrue(issubclass(MeasureLink, OneTimeLink))


class ByTokenTests(BaseTestCase):
    def setUp(self) -> None:
        self.record = make_client()

    def make_links(self, expires_at: dt.datetime) -> list[tuple[OneTimeLink, str]]:
        consent_request, consent_token = make_consent_request(
            self.record, self.therapist, expires_at=expires_at
        )
        measure_token = new_token()
        measure_link = MeasureLink.objects.create(
            client=self.record,
            instruments=["phq9"],
            token_hash=token_hash(measure_token),
            expires_at=expires_at,
        )
        return [(consent_request, consent_token), (measure_link, measure_token)]

    def test_it_finds_the_link_of_a_token_whatever_its_state(self) -> None:
        for made, token in self.make_links(NOW):
            with self.subTest(model=type(made).__name__):
                manager = type(made).objects
                self.assertEqual(manager.by_token(token).get(), made)
                type(made).objects.filter(pk=made.pk).update(used_at=NOW)
                # A page tells a closed link (410) from an unknown one (404).
                self.assertEqual(manager.by_token(token).get(), made)

    def test_it_finds_nothing_for_an_unknown_token_or_for_the_stored_hash(self) -> None:
        for made, _token in self.make_links(NOW):
            with self.subTest(model=type(made).__name__):
                manager = type(made).objects
                self.assertFalse(manager.by_token(new_token()).exists())
                # What the table holds does not open the link.
                self.assertNotEqual(made.token_hash, _token)
                self.assertFalse(manager.by_token(made.token_hash).exists())

    def test_it_finds_an_open_link_until_the_instant_it_expires(self) -> None:
        for made, token in self.make_links(NOW):
            with self.subTest(model=type(made).__name__):
                manager = type(made).objects
                self.assertEqual(manager.open(NOW - TICK).by_token(token).get(), made)
                self.assertFalse(manager.open(NOW).by_token(token).exists())
                self.assertFalse(manager.open(NOW + TICK).by_token(token).exists())

    def test_it_finds_no_open_link_once_used_or_cancelled(self) -> None:
        later = NOW + dt.timedelta(days=1)
        for field in ("used_at", "cancelled_at"):
            for made, token in self.make_links(later):
                with self.subTest(model=type(made).__name__, field=field):
                    manager = type(made).objects
                    self.assertTrue(manager.open(NOW).by_token(token).exists())
                    manager.filter(pk=made.pk).update(**{field: NOW - TICK})
                    self.assertFalse(manager.open(NOW).by_token(token).exists())

    def test_it_agrees_with_the_state_of_the_row(self) -> None:
        for made, token in self.make_links(NOW):
            for now in (NOW - TICK, NOW, NOW + TICK):
                with self.subTest(model=type(made).__name__, now=now):
                    found = type(made).objects.open(now).by_token(token).exists()
                    self.assertEqual(found, made.is_open(now))
