"""`bls.access.get_record_for_user` answers as the ORM's query does, for every role
(clients/tests/visible_reads.py) and both kinds of record (a KA-EMDR session's, an EMDR
appointment's), and brings what the page reads.

It reads the record through a query compiled once (common.prepared) for the two shapes
`clients_visible_to` takes on nearly every request, and through the ORM for a
therapist holding emergency access (issue 14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import AuthedRequest
from accounts.models import User
from bls import access as bls_access
from bls.access import _records, get_record_for_user
from bls.models import EmdrRecord
from bls.tests.support import make_emdr_appointment, make_emdr_session
from clients.access import clients_for_user
from clients.tests.visible_reads import VisibleReadCases, as_request
from pathways.testing import BaseTestCase, make_client


class EmdrRecordAccessTests(VisibleReadCases, BaseTestCase):
    reads = bls_access
    practice_name, own_name = "_practice_record", "_own_record"
    appointment_pk: int

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        session_record = make_emdr_session(cls.therapist, cls.prescriber, cls.partner).record
        ivy = make_client(first_name="Ivy", last_name="Lane", assigned_therapist=cls.therapist)
        start = timezone.now() - dt.timedelta(days=1)
        cls.appointment_pk = EmdrRecord.objects.create(
            appointment=make_emdr_appointment(ivy, cls.therapist, start), created_by=cls.therapist
        ).pk
        wren = make_client(first_name="Wren", last_name="Hale", assigned_therapist=cls.therapist2)
        others = EmdrRecord.objects.create(
            appointment=make_emdr_appointment(wren, cls.therapist2, start),
            created_by=cls.therapist2,
        )
        cls.own_pk, cls.others_pk, cls.others_client = session_record.pk, others.pk, wren

    def read(self, request: AuthedRequest, pk: int) -> EmdrRecord:
        return get_record_for_user(request, pk)

    def orm_read(self, request: AuthedRequest, pk: int) -> EmdrRecord:
        return get_object_or_404(_records(clients_for_user(request)), pk=pk)

    def pks(self) -> tuple[int, ...]:
        return (self.appointment_pk, *super().pks())

    def test_it_finds_an_appointments_record_as_a_sessions(self) -> None:
        users: list[User] = [self.admin, self.therapist, self.therapist2]
        expected = [self.appointment_pk, self.appointment_pk, None]
        self.assertEqual([self.found(u, self.appointment_pk) for u in users], expected)

    def test_it_brings_the_related_objects_the_page_reads(self) -> None:
        for user in (self.admin, self.therapist):
            for pk in (self.own_pk, self.appointment_pk):
                record = self.read(as_request(user), pk)
                expected = self.orm_read(as_request(user), pk)
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
            self.read(as_request(self.admin), self.own_pk)
        with self.assertNumQueries(2):  # a therapist: the grants in force, then the record
            self.read(as_request(self.therapist), self.own_pk)
