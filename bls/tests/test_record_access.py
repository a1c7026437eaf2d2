"""`bls.access.get_record_for_user` answers as the ORM's query does, for every role and
both kinds of record (a KA-EMDR session's, an EMDR appointment's).

It reads the record through a query compiled once (common.prepared) for the two shapes
`clients_visible_to` takes on nearly every request, and through the ORM for a
therapist holding emergency access (issue 14)."""

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
from bls import access as bls_access
from bls.access import _records, get_record_for_user
from bls.models import EmdrRecord
from bls.tests.support import make_emdr_appointment, make_emdr_session
from clients.access import clients_for_user
from clients.models import Client
from clients.tests.factories import name_for_break_glass
from pathways.testing import BaseTestCase, make_client, make_grant

# Missing, negative, beyond a 32-bit field (the ORM's own path then) and past 64 bits.
ABSENT = (0, -1, 987_654, 2**31, 2**40, 2**63 - 1)


def as_request(user: User) -> AuthedRequest:
    return cast(AuthedRequest, SimpleNamespace(user=user))


class EmdrRecordAccessTests(BaseTestCase):
    session_record: EmdrRecord
    appointment_record: EmdrRecord
    others: EmdrRecord

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.session_record = make_emdr_session(cls.therapist, cls.prescriber, cls.partner).record
        ivy = make_client(first_name="Ivy", last_name="Lane", assigned_therapist=cls.therapist)
        start = timezone.now() - dt.timedelta(days=1)
        cls.appointment_record = EmdrRecord.objects.create(
            appointment=make_emdr_appointment(ivy, cls.therapist, start), created_by=cls.therapist
        )
        wren = make_client(first_name="Wren", last_name="Hale", assigned_therapist=cls.therapist2)
        cls.others = EmdrRecord.objects.create(
            appointment=make_emdr_appointment(wren, cls.therapist2, start),
            created_by=cls.therapist2,
        )

    def through_the_orm(self, user: User, pk: int) -> int | None:
        try:
            return get_object_or_404(_records(clients_for_user(as_request(user))), pk=pk).pk
        except Http404:
            return None

    def found(self, user: User, pk: int) -> int | None:
        try:
            return get_record_for_user(as_request(user), pk).pk
        except Http404:
            return None

    def pks(self) -> tuple[int, ...]:
        return (self.session_record.pk, self.appointment_record.pk, self.others.pk, *ABSENT)

    def test_it_finds_what_the_orm_finds_for_every_role(self) -> None:
        users = [self.admin, self.intake, self.therapist, self.therapist2, self.prescriber]
        for user in users:
            for pk in self.pks():
                with self.subTest(user=user.username, pk=pk):
                    self.assertEqual(self.found(user, pk), self.through_the_orm(user, pk))
        self.assertEqual(
            self.found(self.therapist, self.appointment_record.pk), self.appointment_record.pk
        )
        self.assertEqual(
            self.found(self.therapist, self.session_record.pk), self.session_record.pk
        )
        self.assertIsNone(self.found(self.therapist, self.others.pk))
        self.assertEqual(self.found(self.admin, self.others.pk), self.others.pk)

    def test_it_follows_a_grant_in_force_and_not_one_ended(self) -> None:
        assert self.others.appointment is not None
        named = name_for_break_glass(self.therapist)
        grant = make_grant(named, self.others.appointment.client)
        for pk in self.pks():
            with self.subTest(pk=pk):
                self.assertEqual(self.found(named, pk), self.through_the_orm(named, pk))
        self.assertEqual(self.found(named, self.others.pk), self.others.pk)
        grant.expires_at = timezone.now() - dt.timedelta(seconds=1)
        grant.save()
        self.assertIsNone(self.found(named, self.others.pk))

    def others_client(self) -> Client:
        assert self.others.appointment is not None
        return self.others.appointment.client

    def test_it_takes_the_compiled_read_for_each_shape_and_the_orm_for_a_grant(self) -> None:
        # The fast path is the point (issue 14): a change that sent every user through
        # the ORM would answer the same and pass the tests above.
        named = name_for_break_glass(self.therapist)
        cases = [(self.admin, "PRACTICE"), (self.intake, "PRACTICE"), (named, "OWN")]
        for user, which in cases:
            with (
                mock.patch.object(
                    bls_access, "_practice_record", wraps=bls_access._practice_record
                ) as practice,
                mock.patch.object(bls_access, "_own_record", wraps=bls_access._own_record) as own,
            ):
                self.found(user, self.session_record.pk)
            self.assertEqual(
                (practice.call_count, own.call_count), (1, 0) if which == "PRACTICE" else (0, 1)
            )
        grant = make_grant(named, self.others_client())
        with (
            mock.patch.object(
                bls_access, "_practice_record", wraps=bls_access._practice_record
            ) as practice,
            mock.patch.object(bls_access, "_own_record", wraps=bls_access._own_record) as own,
        ):
            self.assertIsNotNone(self.found(named, self.others.pk))
        self.assertEqual((practice.call_count, own.call_count), (0, 0))
        # A grant ended early, or whose holder lost the permission, no longer opens it.
        grant.ended_at = timezone.now()
        grant.save()
        self.assertIsNone(self.found(named, self.others.pk))
        make_grant(named, self.others_client())
        self.assertIsNotNone(self.found(named, self.others.pk))
        named.user_permissions.clear()
        self.assertIsNone(self.found(User.objects.get(pk=named.pk), self.others.pk))

    def test_it_brings_the_related_objects_the_page_reads(self) -> None:
        for user in (self.admin, self.therapist):
            for pk in (self.session_record.pk, self.appointment_record.pk):
                record = get_record_for_user(as_request(user), pk)
                expected = get_object_or_404(_records(clients_for_user(as_request(user))), pk=pk)
                with self.assertNumQueries(0):
                    got = self.related(record)
                self.assertEqual(got, self.related(expected))

    @staticmethod
    def related(record: EmdrRecord) -> list[Any]:
        if record.session is not None:
            session = record.session
            return [session.course.client.last_name, session.prescription_id, session.pk]
        assert record.appointment is not None
        return [record.appointment.client.last_name, record.appointment.starts_at]

    def test_it_reads_the_record_in_one_query(self) -> None:
        with self.assertNumQueries(1):
            get_record_for_user(as_request(self.admin), self.session_record.pk)
        with self.assertNumQueries(2):  # a therapist: the grants in force, then the record
            get_record_for_user(as_request(self.therapist), self.session_record.pk)
