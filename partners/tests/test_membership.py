"""The partner organisation a user works for (partners.PartnerMembership): what reads
it, what writes it, the admin that keeps it, and the migration that moved it out of
accounts.User.partner with its data."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.utils.functional import SimpleLazyObject

from accounts.models import Role, User
from partners.access import partner_id_of, partner_of
from partners.models import Partner, PartnerMembership, ReferralEvent, Step
from partners.services import membership_set
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_prescriber,
    make_referral,
    make_user,
)

BEFORE = [("accounts", "0004_user_is_clinician"), ("partners", "0001_initial")]
AFTER = [("accounts", "0005_remove_user_partner")]


class MembershipTestCase(BaseTestCase):
    def test_it_reads_the_partner_a_user_works_for(self) -> None:
        user = User.objects.get(pk=self.prescriber.pk)

        assert partner_id_of(user) == self.partner.pk
        assert partner_of(user) == self.partner

    def test_it_reads_no_partner_for_staff_or_someone_signed_out(self) -> None:
        for user in (self.therapist, self.admin, AnonymousUser()):
            with self.subTest(user=str(user)):
                assert partner_id_of(user) is None
                assert partner_of(user) is None

    def test_it_queries_once_however_often_a_request_asks(self) -> None:
        for username in ("prescriber", "therapist"):
            user = User.objects.get(username=username)
            with self.subTest(user=username), self.assertNumQueries(1):
                for _ in range(3):
                    partner_id_of(user)

    def test_it_reads_the_organisation_in_the_same_query_and_caches_as_django_does(
        self,
    ) -> None:
        user = User.objects.get(username="prescriber")
        with self.assertNumQueries(1):
            assert partner_of(user) == self.partner
            assert partner_of(user) == self.partner
            # What the reverse one-to-one gives afterwards is what was read, both ways.
            assert user.partner_membership.partner_id == self.partner.pk
            assert user.partner_membership.user is user
        # request.user is a lazy wrapper: the membership names the user inside it.
        lazy: Any = SimpleLazyObject(lambda: User.objects.get(username="prescriber"))
        assert partner_of(lazy) == self.partner
        assert type(lazy.partner_membership.user) is User
        staff = User.objects.get(username="therapist")
        with self.assertNumQueries(1):
            assert partner_of(staff) is None
            with pytest.raises(PartnerMembership.DoesNotExist):
                staff.partner_membership  # noqa: B018  (the cached "none", as Django's)

    def test_it_moves_a_user_to_another_partner_keeping_one_membership(self) -> None:
        user = User.objects.get(pk=self.prescriber.pk)
        assert partner_id_of(user) == self.partner.pk

        membership_set(user=user, partner=self.partner2)

        # The reader sees the move at once, on the same object, and in the database.
        assert partner_id_of(user) == self.partner2.pk
        assert PartnerMembership.objects.filter(user=user).count() == 1
        assert partner_id_of(User.objects.get(pk=user.pk)) == self.partner2.pk

    def test_it_keeps_a_partner_with_people_in_it(self) -> None:
        with pytest.raises(ProtectedError):
            Partner.objects.filter(pk=self.partner.pk).delete()

    def test_it_names_the_organisation_of_each_step_without_a_query_per_step(self) -> None:
        referral = make_referral(
            make_client(assigned_therapist=self.therapist), self.partner, self.therapist
        )
        ReferralEvent.objects.create(referral=referral, step=Step.SENT, by=self.therapist)
        ReferralEvent.objects.create(referral=referral, step=Step.SCHEDULED, by=self.prescriber)
        pages = {
            "portal": (self.prescriber, f"/partner/referrals/{referral.pk}/"),
            "staff": (self.therapist, f"/staff/referrals/{referral.pk}/"),
        }
        two_steps = {}
        for side, (user, url) in pages.items():
            self.client.force_login(user)
            with CaptureQueriesContext(connection) as queries:
                assert self.client.get(url).status_code == 200
            two_steps[side] = len(queries)
        colleague = make_prescriber("colleague", self.partner)
        for by in (colleague, self.prescriber, self.therapist2):
            ReferralEvent.objects.create(referral=referral, step=Step.NEEDS_INFO, by=by)

        for side, (user, url) in pages.items():
            with self.subTest(side=side):
                self.client.force_login(user)
                with self.assertNumQueries(two_steps[side]):
                    response = self.client.get(url)

                thread = response.content.decode().split('id="thread-title"')[1]
                assert thread.count(", Blue Ridge Psychiatry</p>") == 3
                assert thread.count(f", {settings.PRACTICE_NAME}</p>") == 2

    def test_it_names_the_prescribers_organisation_on_the_portal_home(self) -> None:
        # /staff/ sends a prescriber to the portal (issue 11 §1).
        self.client.force_login(self.prescriber)

        self.assertContains(self.client.get("/staff/", follow=True), "Referrals to Blue Ridge")

    def test_it_lists_a_partners_prescribers_in_the_admin_and_adds_one(self) -> None:
        newcomer = make_user("newcomer", Role.PRESCRIBER)
        self.client.force_login(self.admin)
        url = f"/admin/partners/partner/{self.partner.pk}/change/"
        self.assertContains(self.client.get(url), "prescriber at Blue Ridge Psychiatry")
        mine = PartnerMembership.objects.get(user=self.prescriber)

        response = self.client.post(
            url,
            {
                "name": self.partner.name,
                "phone": "",
                "email": self.partner.email,
                "address": "",
                "active": "on",
                "memberships-TOTAL_FORMS": "2",
                "memberships-INITIAL_FORMS": "1",
                "memberships-0-id": str(mine.pk),
                "memberships-0-partner": str(self.partner.pk),
                "memberships-0-user": str(self.prescriber.pk),
                "memberships-1-partner": str(self.partner.pk),
                "memberships-1-user": str(newcomer.pk),
            },
        )

        assert response.status_code == 302
        assert partner_id_of(User.objects.get(pk=newcomer.pk)) == self.partner.pk
        assert partner_id_of(User.objects.get(pk=self.prescriber.pk)) == self.partner.pk


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_each_users_partner_and_back() -> None:
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        old_partner = old.get_model("partners", "Partner")
        old_user = old.get_model("accounts", "User")
        blue = old_partner.objects.create(name="Blue Ridge Psychiatry")
        tide = old_partner.objects.create(name="Tidewater Medication Management")
        priya = old_user.objects.create(username="priya", role=Role.PRESCRIBER, partner=blue)
        sam = old_user.objects.create(username="sam", role=Role.PRESCRIBER, partner=tide)
        theo = old_user.objects.create(username="theo", role=Role.THERAPIST)

        executor.loader.build_graph()
        executor.migrate(AFTER)

        # The models as they stand at AFTER: later migrations add columns to the user
        # table that the database does not have yet.
        membership = executor.loader.project_state(AFTER).apps.get_model(
            "partners", "PartnerMembership"
        )
        partner_of = dict(membership.objects.values_list("user_id", "partner_id"))
        assert partner_of == {priya.pk: blue.pk, sam.pk: tide.pk}
        assert theo.pk not in partner_of

        executor.loader.build_graph()
        executor.migrate(BEFORE)

        old_user = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
        partners = dict(old_user.objects.values_list("username", "partner_id"))
        assert partners == {"priya": blue.pk, "sam": tide.pk, "theo": None}
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
