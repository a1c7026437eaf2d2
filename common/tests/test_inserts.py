"""`common.inserts.insert_rows`: the same rows as `bulk_create`, without an instance
each; and the portal's list disclosures written through it."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role
from common.inserts import insert_one, insert_rows
from notifications.models import OutboundEmail
from partners.access import release_id_of, shared
from partners.disclosures import disclosure_list_reads
from partners.models import Disclosure, DisclosureChannel, DisclosureKind, Referral
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_partner,
    make_prescriber,
    make_referral,
    make_user,
)

COLUMNS = (
    *("client_id", "partner_id", "release_id", "kind", "purpose", "channel", "object_ids"),
    "by_id",
)


def stored(ids: list[int]) -> list[tuple[Any, ...]]:
    return list(Disclosure.objects.filter(pk__in=ids).order_by("pk").values_list(*COLUMNS))


class ReferralsTestCase(BaseTestCase):
    """Three referrals, and a disclosure row for each."""

    def setUp(self) -> None:
        super().setUp()
        records = [
            make_client(first_name=name, last_name="Ashford", assigned_therapist=self.therapist)
            for name in ("Ada", "Ben", "Cy")
        ]
        made = [make_referral(record, self.partner, self.therapist) for record in records]
        self.referrals = list(shared(Referral.objects.filter(pk__in=[r.pk for r in made])))

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "client_id": r.client_id,
                "partner_id": r.partner_id,
                "release_id": release_id_of(r),
                "kind": DisclosureKind.REFERRAL_LIST,
                "channel": DisclosureChannel.PORTAL_READ,
                "object_ids": {"referral": r.pk, "note": 'a "quoted" <word> é'},
                "by_id": self.prescriber.pk,
            }
            for r in self.referrals
        ]


class InsertRowsTestCase(ReferralsTestCase):
    def test_it_writes_what_bulk_create_writes(self) -> None:
        before = timezone.now()
        with CaptureQueriesContext(connection) as queries:
            insert_rows(Disclosure, self.rows())
        after = timezone.now()
        ours = list(Disclosure.objects.order_by("pk").values_list("pk", flat=True))
        theirs = Disclosure.objects.bulk_create([Disclosure(**row) for row in self.rows()])

        assert len(queries) == 1  # one prepared INSERT for every row
        assert stored(ours) == stored([d.pk for d in theirs])
        assert len(ours) == 3
        # The default the rows leave out: now, as each instance's default is.
        for at in Disclosure.objects.filter(pk__in=ours).values_list("at", flat=True):
            assert before <= at <= after
        assert set(Disclosure.objects.filter(pk__in=ours).values_list("purpose", flat=True)) == {
            ""
        }

    def test_it_writes_nothing_for_no_rows(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            insert_rows(Disclosure, [])
        assert len(queries) == 0

    def test_it_leaves_the_checks_to_the_database(self) -> None:
        # A list disclosure without its release breaks the model's constraint.
        row = {**self.rows()[0], "release_id": None}
        with self.assertRaises(IntegrityError):
            insert_rows(Disclosure, [row])

    def test_it_refuses_a_column_the_model_has_not(self) -> None:
        with self.assertRaisesRegex(TypeError, "no column"):
            insert_rows(Disclosure, [{**self.rows()[0], "client": 3}])

    def test_it_refuses_a_model_whose_fields_compute_their_value_on_save(self) -> None:
        with self.assertRaisesRegex(TypeError, "created_at computes its value on save"):
            insert_rows(OutboundEmail, [{"to": "a@example.com", "subject": "Hello"}])

    def test_it_writes_the_portals_list_disclosures_as_before(self) -> None:
        actor = Actor.for_user(self.prescriber)

        disclosure_list_reads(actor=actor, referrals=self.referrals)

        assert stored(list(Disclosure.objects.values_list("pk", flat=True))) == [
            (
                r.client_id,
                r.partner_id,
                release_id_of(r),
                DisclosureKind.REFERRAL_LIST,
                "",
                DisclosureChannel.PORTAL_READ,
                {"referral": r.pk},
                self.prescriber.pk,
            )
            for r in self.referrals
        ]


class InsertRowsCommitTestCase(TransactionTestCase):
    """Outside any transaction, as `bulk_create`: all the rows or none."""

    def test_it_keeps_none_of_the_rows_when_one_is_refused(self) -> None:
        therapist = make_user("therapist", Role.THERAPIST)
        partner = make_partner("Blue Ridge Psychiatry")
        prescriber = make_prescriber("prescriber", partner)
        record = make_client(first_name="Ada", last_name="Ashford", assigned_therapist=therapist)
        made = make_referral(record, partner, therapist)
        [referral] = shared(Referral.objects.filter(pk=made.pk))
        good = {
            "client_id": referral.client_id,
            "partner_id": referral.partner_id,
            "release_id": release_id_of(referral),
            "kind": DisclosureKind.REFERRAL_LIST,
            "channel": DisclosureChannel.PORTAL_READ,
            "object_ids": {"referral": referral.pk},
            "by_id": prescriber.pk,
        }
        refused = {**good, "release_id": None}  # breaks disclosure_partner_release

        with self.assertRaises(IntegrityError):
            insert_rows(Disclosure, [good, refused])

        assert not connection.in_atomic_block
        assert not Disclosure.objects.exists()


class InsertOneTestCase(ReferralsTestCase):
    def test_it_writes_what_create_writes_and_returns_the_key(self) -> None:
        row = self.rows()[0]
        with CaptureQueriesContext(connection) as queries:
            pk = insert_one(Disclosure, row)
        theirs = Disclosure.objects.create(**row)

        assert len(queries) == 1  # the key comes back with the INSERT (or beside it)
        assert Disclosure.objects.filter(pk=pk).exists()
        assert pk == theirs.pk - 1  # the key the database gave, not a guess
        assert stored([pk]) == stored([theirs.pk])

    def test_it_refuses_a_column_the_model_has_not(self) -> None:
        with self.assertRaises(TypeError):
            insert_one(Disclosure, {**self.rows()[0], "nonsense": 1})
