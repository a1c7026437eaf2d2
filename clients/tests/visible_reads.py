"""The cases every read compiled once through `clients.access.first_visible` must pass
(issue 14): the same answer as the ORM queryset it stands for, for every role and a
break-glass grant in force, expired, ended and without its permission; the compiled
read taken for each shape, and the ORM under a grant. Mixed into a test case of the
read (dosing, bls, clients), which says where its builders are and what to read."""

from __future__ import annotations

import datetime as dt
from types import ModuleType, SimpleNamespace
from typing import TYPE_CHECKING, Any, cast
from unittest import mock

from django.db.models import Model
from django.http import Http404
from django.utils import timezone

from accounts.access import AuthedRequest
from accounts.models import User
from clients.models import Client
from clients.tests.factories import make_grant, name_for_break_glass

if TYPE_CHECKING:
    from pathways.testing import BaseTestCase as _Case
else:
    _Case = object  # a mixin: not collected as a test case of its own

# Missing, negative, beyond a 32-bit field (the ORM's own path then) and past 64 bits.
ABSENT = (0, -1, 987_654, 2**31, 2**40, 2**63 - 1)


def as_request(user: User) -> AuthedRequest:
    return cast(AuthedRequest, SimpleNamespace(user=user))


class VisibleReadCases(_Case):
    # Set by the test case: the module of the builders and their names, the therapist's
    # own object, another therapist's, and that one's client.
    reads: ModuleType
    practice_name: str
    own_name: str
    own_pk: int
    others_pk: int
    others_client: Client

    def read(self, request: AuthedRequest, pk: int) -> Model:
        raise NotImplementedError

    def orm_read(self, request: AuthedRequest, pk: int) -> Model:
        raise NotImplementedError

    def found(self, user: User, pk: int) -> int | None:
        try:
            return int(self.read(as_request(user), pk).pk)
        except Http404:
            return None

    def through_the_orm(self, user: User, pk: int) -> int | None:
        try:
            return int(self.orm_read(as_request(user), pk).pk)
        except Http404:
            return None

    def pks(self) -> tuple[int, ...]:
        return (self.own_pk, self.others_pk, *ABSENT)

    def test_it_finds_what_the_orm_finds_for_every_role(self) -> None:
        users = [self.admin, self.intake, self.therapist, self.therapist2, self.prescriber]
        for user in users:
            for pk in self.pks():
                with self.subTest(user=user.username, pk=pk):
                    self.assertEqual(self.found(user, pk), self.through_the_orm(user, pk))
        # What that means: the front desk and the admin see both, each therapist their
        # own, a prescriber none (the portal has helpers of its own).
        self.assertEqual(self.found(self.intake, self.others_pk), self.others_pk)
        self.assertEqual(self.found(self.admin, self.others_pk), self.others_pk)
        self.assertEqual(self.found(self.therapist, self.own_pk), self.own_pk)
        self.assertIsNone(self.found(self.therapist, self.others_pk))
        self.assertIsNone(self.found(self.prescriber, self.own_pk))

    def test_it_follows_a_grant_in_force_and_not_one_ended(self) -> None:
        named = name_for_break_glass(self.therapist)
        grant = make_grant(named, self.others_client)
        for pk in self.pks():
            with self.subTest(pk=pk):
                self.assertEqual(self.found(named, pk), self.through_the_orm(named, pk))
        self.assertEqual(self.found(named, self.others_pk), self.others_pk)
        grant.expires_at = timezone.now() - dt.timedelta(seconds=1)
        grant.save()
        self.assertIsNone(self.found(named, self.others_pk))
        self.assertEqual(self.found(named, self.own_pk), self.own_pk)
        # Ended early, or its holder's permission taken away: closed too.
        ended = make_grant(named, self.others_client)
        self.assertEqual(self.found(named, self.others_pk), self.others_pk)
        ended.ended_at = timezone.now()
        ended.save()
        self.assertIsNone(self.found(named, self.others_pk))
        make_grant(named, self.others_client)
        self.assertEqual(self.found(named, self.others_pk), self.others_pk)
        named.user_permissions.clear()
        self.assertIsNone(self.found(User.objects.get(pk=named.pk), self.others_pk))

    def calls(self, user: User, pk: int) -> tuple[int, int]:
        """How many times the practice's and the therapist's builders were called."""
        practice, own = getattr(self.reads, self.practice_name), getattr(self.reads, self.own_name)
        spies: Any
        with (
            mock.patch.object(self.reads, self.practice_name, wraps=practice) as on_practice,
            mock.patch.object(self.reads, self.own_name, wraps=own) as on_own,
        ):
            spies = (on_practice, on_own)
            self.found(user, pk)
        return spies[0].call_count, spies[1].call_count

    def test_it_takes_the_compiled_read_for_each_shape_and_the_orm_for_a_grant(self) -> None:
        # The compiled read is the point (issue 14): a change that sent every user
        # through the ORM would answer the same, and pass the cases above.
        self.assertEqual(self.calls(self.admin, self.own_pk), (1, 0))
        self.assertEqual(self.calls(self.intake, self.own_pk), (1, 0))
        self.assertEqual(self.calls(self.therapist, self.own_pk), (0, 1))
        self.assertEqual(self.calls(self.prescriber, self.own_pk), (0, 1))
        named = name_for_break_glass(self.therapist)
        make_grant(named, self.others_client)
        self.assertEqual(self.calls(named, self.others_pk), (0, 0))
        self.assertEqual(self.found(named, self.others_pk), self.others_pk)
