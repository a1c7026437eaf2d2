"""`get_client_for_user` answers as `get_object_or_404(clients_for_user(...))` does, for
every role (clients/tests/visible_reads.py), a client nobody is assigned to included;
it reads the client through a query compiled once (common.prepared) for the two shapes
`clients_visible_to` takes on nearly every request, and through the ORM for a
therapist holding emergency access (issue 14)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from clients import access as client_access
from clients.access import clients_for_user, get_client_for_user
from clients.models import Client
from clients.tests.visible_reads import VisibleReadCases, as_request
from pathways.testing import BaseTestCase, make_client


class ClientAccessPreparedTests(VisibleReadCases, BaseTestCase):
    reads = client_access
    practice_name, own_name = "_practice_client", "_own_client"
    nobodys_pk: int

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        mine = make_client(
            first_name="Ann", last_name="O'Brien & <b>", assigned_therapist=cls.therapist
        )
        theirs = make_client(
            first_name="Wren", last_name="Hale", assigned_therapist=cls.therapist2
        )
        cls.nobodys_pk = make_client(first_name="Di", last_name="Unassigned").pk
        cls.own_pk, cls.others_pk, cls.others_client = mine.pk, theirs.pk, theirs

    def read(self, request: AuthedRequest, pk: int) -> Client:
        return get_client_for_user(request, pk)

    def orm_read(self, request: AuthedRequest, pk: int) -> Client:
        return get_object_or_404(clients_for_user(request), pk=pk)

    def pks(self) -> tuple[int, ...]:
        return (self.nobodys_pk, *super().pks())

    def test_it_gives_the_orms_client_with_its_therapist(self) -> None:
        for user in (self.admin, self.therapist):
            got = self.read(as_request(user), self.own_pk)
            expected = self.orm_read(as_request(user), self.own_pk)
            with self.assertNumQueries(0):
                therapist = got.assigned_therapist
            assert therapist is not None
            self.assertEqual(therapist.username, "therapist")
            fields = {k: v for k, v in vars(got).items() if k != "_state"}
            self.assertEqual(fields, {k: v for k, v in vars(expected).items() if k != "_state"})
            self.assertEqual(got.last_name, "O'Brien & <b>")

    def test_it_reads_the_client_in_one_query(self) -> None:
        with self.assertNumQueries(1):
            self.read(as_request(self.admin), self.own_pk)
        with self.assertNumQueries(2):  # a therapist: the grants in force, then the client
            self.read(as_request(self.therapist), self.own_pk)
