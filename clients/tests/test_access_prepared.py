"""`get_client_for_user` answers as `get_object_or_404(clients_for_user(...))` does, for
every role: it reads the client through a query compiled once (common.prepared) for
the two shapes `clients_visible_to` takes on nearly every request, and through the ORM
for a therapist holding emergency access (issue 14)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import cast
from unittest import mock

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import AuthedRequest
from accounts.models import User
from clients import access as client_access
from clients.access import clients_for_user, get_client_for_user
from clients.models import Client
from clients.tests.factories import make_grant, name_for_break_glass
from pathways.testing import BaseTestCase, make_client

# Missing, negative, beyond a 32-bit field (the ORM's own path then) and past 64 bits.
ABSENT = (0, -1, 987_654, 2**31, 2**40, 2**63 - 1)


def as_request(user: User) -> AuthedRequest:
    return cast(AuthedRequest, SimpleNamespace(user=user))


class ClientAccessPreparedTests(BaseTestCase):
    mine: Client
    theirs: Client
    nobodys: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.mine = make_client(
            first_name="Ann", last_name="O'Brien & <b>", assigned_therapist=cls.therapist
        )
        cls.theirs = make_client(
            first_name="Wren", last_name="Hale", assigned_therapist=cls.therapist2
        )
        cls.nobodys = make_client(first_name="Di", last_name="Unassigned")

    def through_the_orm(self, user: User, pk: int) -> int | None:
        try:
            return get_object_or_404(clients_for_user(as_request(user)), pk=pk).pk
        except Http404:
            return None

    def found(self, user: User, pk: int) -> int | None:
        try:
            return get_client_for_user(as_request(user), pk).pk
        except Http404:
            return None

    def pks(self) -> tuple[int, ...]:
        return (self.mine.pk, self.theirs.pk, self.nobodys.pk, *ABSENT)

    def test_it_finds_what_the_orm_finds_for_every_role(self) -> None:
        users = [self.admin, self.intake, self.therapist, self.therapist2, self.prescriber]
        for user in users:
            for pk in self.pks():
                with self.subTest(user=user.username, pk=pk):
                    self.assertEqual(self.found(user, pk), self.through_the_orm(user, pk))
        self.assertEqual(self.found(self.intake, self.nobodys.pk), self.nobodys.pk)
        self.assertEqual(self.found(self.therapist, self.mine.pk), self.mine.pk)
        self.assertIsNone(self.found(self.therapist, self.theirs.pk))
        self.assertIsNone(self.found(self.prescriber, self.mine.pk))

    def test_it_follows_a_grant_in_force_and_not_one_ended(self) -> None:
        named = name_for_break_glass(self.therapist)
        grant = make_grant(named, self.theirs)
        for pk in self.pks():
            with self.subTest(pk=pk):
                self.assertEqual(self.found(named, pk), self.through_the_orm(named, pk))
        self.assertEqual(self.found(named, self.theirs.pk), self.theirs.pk)
        grant.expires_at = timezone.now() - dt.timedelta(seconds=1)
        grant.save()
        self.assertIsNone(self.found(named, self.theirs.pk))
        self.assertEqual(self.found(named, self.mine.pk), self.mine.pk)

    def test_it_takes_the_compiled_read_for_each_shape_and_the_orm_for_a_grant(self) -> None:
        # The fast path is the point (issue 14): a change that sent every user through
        # the ORM would answer the same and pass the tests above.
        named = name_for_break_glass(self.therapist)
        cases = [(self.admin, "PRACTICE"), (self.intake, "PRACTICE"), (named, "OWN")]
        for user, which in cases:
            with (
                mock.patch.object(
                    client_access, "_practice_client", wraps=client_access._practice_client
                ) as practice,
                mock.patch.object(
                    client_access, "_own_client", wraps=client_access._own_client
                ) as own,
            ):
                self.found(user, self.mine.pk)
            self.assertEqual(
                (practice.call_count, own.call_count), (1, 0) if which == "PRACTICE" else (0, 1)
            )
        grant = make_grant(named, self.theirs)
        with (
            mock.patch.object(
                client_access, "_practice_client", wraps=client_access._practice_client
            ) as practice,
            mock.patch.object(
                client_access, "_own_client", wraps=client_access._own_client
            ) as own,
        ):
            self.assertIsNotNone(self.found(named, self.theirs.pk))
        self.assertEqual((practice.call_count, own.call_count), (0, 0))
        # A grant ended early, or whose holder lost the permission, no longer opens it.
        grant.ended_at = timezone.now()
        grant.save()
        self.assertIsNone(self.found(named, self.theirs.pk))
        make_grant(named, self.theirs)
        self.assertIsNotNone(self.found(named, self.theirs.pk))
        named.user_permissions.clear()
        self.assertIsNone(self.found(User.objects.get(pk=named.pk), self.theirs.pk))

    def test_it_gives_the_orms_client_with_its_therapist(self) -> None:
        for user in (self.admin, self.therapist):
            got = get_client_for_user(as_request(user), self.mine.pk)
            expected = get_object_or_404(clients_for_user(as_request(user)), pk=self.mine.pk)
            with self.assertNumQueries(0):
                therapist = got.assigned_therapist
            assert therapist is not None
            self.assertEqual(therapist.username, "therapist")
            fields = {k: v for k, v in vars(got).items() if k != "_state"}
            self.assertEqual(fields, {k: v for k, v in vars(expected).items() if k != "_state"})
            self.assertEqual(got.last_name, "O'Brien & <b>")

    def test_it_reads_the_client_in_one_query(self) -> None:
        with self.assertNumQueries(1):
            get_client_for_user(as_request(self.admin), self.mine.pk)
        with self.assertNumQueries(2):  # a therapist: the grants in force, then the client
            get_client_for_user(as_request(self.therapist), self.mine.pk)
