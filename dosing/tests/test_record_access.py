"""`get_record_for_user` answers as the ORM's `records_for_user` does, for every role.

It reads the record through a query compiled once (common.prepared) for the two shapes
`clients_visible_to` takes on nearly every request (all clients; a therapist's own),
and through the ORM for a therapist holding emergency access (issue 14)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any, cast
from unittest import mock

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import AuthedRequest
from accounts.models import User
from clients.models import Client
from clients.tests.factories import name_for_break_glass
from dosing import access as dosing_access
from dosing.access import get_record_for_user, records_for_user
from dosing.models import DosingRecord
from dosing.tests.support import open_record
from pathways.testing import BaseTestCase, make_client, make_grant
from treatment.tests.support import make_ready

# Missing, negative, beyond a 32-bit field (the ORM's own path then) and past 64 bits.
ABSENT = (0, -1, 987_654, 2**31, 2**40, 2**63 - 1)


def as_request(user: User) -> AuthedRequest:
    return cast(AuthedRequest, SimpleNamespace(user=user))


class RecordAccessTests(BaseTestCase):
    own: DosingRecord
    others: DosingRecord

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        _ready, cls.own = open_record(cls.therapist, cls.prescriber, cls.partner)
        wren = make_client(first_name="Wren", last_name="Hale", assigned_therapist=cls.therapist2)
        ready = make_ready(cls.therapist2, cls.prescriber2, cls.partner2, client=wren)
        assert ready.prescription is not None
        cls.others = DosingRecord.objects.create(
            session=ready.session,
            prescription=ready.prescription,
            opened_by=cls.therapist2,
            opened_at=timezone.now(),
        )

    def through_the_orm(self, user: User, pk: int) -> int | None:
        try:
            return get_object_or_404(records_for_user(as_request(user)), pk=pk).pk
        except Http404:
            return None

    def found(self, user: User, pk: int) -> int | None:
        try:
            return get_record_for_user(as_request(user), pk).pk
        except Http404:
            return None

    def users(self) -> list[User]:
        return [self.admin, self.intake, self.therapist, self.therapist2, self.prescriber]

    def test_it_finds_what_the_orm_finds_for_every_role(self) -> None:
        pks = (self.own.pk, self.others.pk, *ABSENT)
        for user in self.users():
            for pk in pks:
                with self.subTest(user=user.username, pk=pk):
                    self.assertEqual(self.found(user, pk), self.through_the_orm(user, pk))
        # What that means: the front desk and the admin see both, each therapist their
        # own, a prescriber none (their portal has its own helper).
        self.assertEqual(self.found(self.intake, self.others.pk), self.others.pk)
        self.assertEqual(self.found(self.therapist, self.own.pk), self.own.pk)
        self.assertIsNone(self.found(self.therapist, self.others.pk))
        self.assertIsNone(self.found(self.prescriber, self.own.pk))

    def test_it_follows_a_grant_in_force_and_not_one_ended(self) -> None:
        wren = Client.objects.get(pk=self.others.session.course.client_id)
        named = name_for_break_glass(self.therapist)
        grant = make_grant(named, wren)
        for pk in (self.own.pk, self.others.pk, *ABSENT):
            with self.subTest(pk=pk):
                self.assertEqual(self.found(named, pk), self.through_the_orm(named, pk))
        self.assertEqual(self.found(named, self.others.pk), self.others.pk)
        grant.expires_at = timezone.now() - dt.timedelta(seconds=1)
        grant.save()
        self.assertIsNone(self.found(named, self.others.pk))
        self.assertEqual(self.found(named, self.own.pk), self.own.pk)

    def test_it_takes_the_compiled_read_for_each_shape_and_the_orm_for_a_grant(self) -> None:
        # The fast path is the point (issue 14): a change that sent every user through
        # the ORM would answer the same and pass the tests above.
        named = name_for_break_glass(self.therapist)
        cases = [(self.admin, "PRACTICE"), (self.intake, "PRACTICE"), (named, "OWN")]
        for user, which in cases:
            with (
                mock.patch.object(
                    dosing_access, "_practice_record", wraps=dosing_access._practice_record
                ) as practice,
                mock.patch.object(
                    dosing_access, "_own_record", wraps=dosing_access._own_record
                ) as own,
            ):
                self.found(user, self.own.pk)
            self.assertEqual(
                (practice.call_count, own.call_count), (1, 0) if which == "PRACTICE" else (0, 1)
            )
        grant = make_grant(named, self.others.session.course.client)
        with (
            mock.patch.object(
                dosing_access, "_practice_record", wraps=dosing_access._practice_record
            ) as practice,
            mock.patch.object(
                dosing_access, "_own_record", wraps=dosing_access._own_record
            ) as own,
        ):
            self.assertIsNotNone(self.found(named, self.others.pk))
        self.assertEqual((practice.call_count, own.call_count), (0, 0))
        # A grant ended early, or whose holder lost the permission, no longer opens it.
        grant.ended_at = timezone.now()
        grant.save()
        self.assertIsNone(self.found(named, self.others.pk))
        make_grant(named, self.others.session.course.client)
        self.assertIsNotNone(self.found(named, self.others.pk))
        named.user_permissions.clear()
        self.assertIsNone(self.found(User.objects.get(pk=named.pk), self.others.pk))

    def test_it_brings_the_related_objects_the_page_reads(self) -> None:
        for user in (self.admin, self.therapist):
            record = get_record_for_user(as_request(user), self.own.pk)
            expected = get_object_or_404(records_for_user(as_request(user)), pk=self.own.pk)
            with self.assertNumQueries(0):
                got = self.related(record)
            self.assertEqual(got, self.related(expected))

    @staticmethod
    def related(record: DosingRecord) -> list[Any]:
        rx = record.prescription
        assert rx.referral is not None
        return [
            record.session.course.client.last_name,
            rx.referral.partner.name,
            rx.prescriber.username,
            record.opened_by.username,
            record.opened_at,
            record.session_id,
        ]

    def test_it_reads_the_record_in_one_query(self) -> None:
        with self.assertNumQueries(1):
            get_record_for_user(as_request(self.intake), self.own.pk)
        # A therapist: the grants in force, then the record.
        with self.assertNumQueries(2):
            get_record_for_user(as_request(self.therapist), self.own.pk)
