"""`get_record_for_user` answers as the ORM's `records_for_user` does, for every role
(clients/tests/visible_reads.py), and brings what the page reads.

It reads the record through a query compiled once (common.prepared) for the two shapes
`clients_visible_to` takes on nearly every request (all clients; a therapist's own),
and through the ORM for a therapist holding emergency access (issue 14)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import AuthedRequest
from clients.tests.visible_reads import VisibleReadCases, as_request
from dosing import access as dosing_access
from dosing.access import get_record_for_user, records_for_user
from dosing.models import DosingRecord
from dosing.tests.support import open_record
from pathways.testing import BaseTestCase, make_client
from treatment.tests.support import make_ready


class RecordAccessTests(VisibleReadCases, BaseTestCase):
    reads = dosing_access
    practice_name, own_name = "_practice_record", "_own_record"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        _ready, own = open_record(cls.therapist, cls.prescriber, cls.partner)
        wren = make_client(first_name="Wren", last_name="Hale", assigned_therapist=cls.therapist2)
        ready = make_ready(cls.therapist2, cls.prescriber2, cls.partner2, client=wren)
        assert ready.prescription is not None
        others = DosingRecord.objects.create(
            session=ready.session,
            prescription=ready.prescription,
            opened_by=cls.therapist2,
            opened_at=timezone.now(),
        )
        cls.own_pk, cls.others_pk, cls.others_client = own.pk, others.pk, wren

    def read(self, request: AuthedRequest, pk: int) -> DosingRecord:
        return get_record_for_user(request, pk)

    def orm_read(self, request: AuthedRequest, pk: int) -> DosingRecord:
        return get_object_or_404(records_for_user(request), pk=pk)

    def test_it_brings_the_related_objects_the_page_reads(self) -> None:
        for user in (self.admin, self.therapist):
            record = self.read(as_request(user), self.own_pk)
            expected = self.orm_read(as_request(user), self.own_pk)
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
            self.read(as_request(self.intake), self.own_pk)
        with self.assertNumQueries(2):  # a therapist: the grants in force, then the record
            self.read(as_request(self.therapist), self.own_pk)
