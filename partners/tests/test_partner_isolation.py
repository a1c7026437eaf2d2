"""A prescriber sees the referrals to their own organisation, and nothing else.

Someone else's referral answers 404, exactly like one that does not exist, on
every page and every action of the portal; the practice's pages answer 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit.models import AuditEvent
from partners.models import PartnerMembership, Referral, ReferralEvent, ReferralStatus
from partners.services import membership_set
from partners.tests.helpers import in_a_week, local_input
from pathways.testing import BaseTestCase, make_client, make_referral

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

POSTS = {
    "schedule": {"schedule-evaluation_at": local_input(in_a_week())},
    "evaluate": {"evaluate-result": "eligible"},
    "close": {"close-text": ""},
}


class PartnerIsolationTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Referred to partner Y (partner2) only.
        self.theirs_client = make_client(
            first_name="Quentin", last_name="Marchetti", assigned_therapist=self.therapist
        )
        self.theirs = make_referral(
            self.theirs_client, self.partner2, self.therapist, status=ReferralStatus.SCHEDULED
        )
        # Referred to partner X (partner), the signed-in prescriber's organisation.
        self.ours_client = make_client(first_name="Ottilie", assigned_therapist=self.therapist)
        self.ours = make_referral(self.ours_client, self.partner, self.therapist)
        self.client.force_login(self.prescriber)

    def assert_hidden(self, response: TestResponse, status: int = 404) -> None:
        assert response.status_code == status
        for text in ("Quentin", "Marchetti", "Tidewater"):
            self.assertNotContains(response, text, status_code=status)

    def test_it_hides_another_partners_referral(self) -> None:
        self.assert_hidden(self.client.get(f"/partner/referrals/{self.theirs.pk}/"))
        assert not AuditEvent.objects.filter(action="referral.view").exists()

    def test_it_refuses_every_action_on_another_partners_referral(self) -> None:
        for action, data in POSTS.items():
            with self.subTest(action=action):
                response = self.client.post(f"/partner/referrals/{self.theirs.pk}/{action}/", data)

                self.assert_hidden(response)
        self.theirs.refresh_from_db()
        assert self.theirs.status == ReferralStatus.SCHEDULED
        assert not ReferralEvent.objects.exists()
        assert not AuditEvent.objects.filter(action="referral.step").exists()

    def test_it_answers_404_for_an_id_that_does_not_exist(self) -> None:
        newest = Referral.objects.order_by("-pk").first()
        assert newest is not None
        missing = newest.pk + 100

        assert self.client.get(f"/partner/referrals/{missing}/").status_code == 404
        for action, data in POSTS.items():
            with self.subTest(action=action):
                response = self.client.post(f"/partner/referrals/{missing}/{action}/", data)
                assert response.status_code == 404

    def test_it_answers_404_for_a_client_not_referred_to_the_partner(self) -> None:
        # The client referred to partner Y has other referrals too; none is X's to see,
        # and the client's own id does not open anything either.
        other = make_referral(self.theirs_client, self.partner2, self.therapist2)
        for pk in (other.pk, self.theirs_client.pk):
            with self.subTest(pk=pk):
                if pk == self.ours.pk:
                    continue
                self.assert_hidden(self.client.get(f"/partner/referrals/{pk}/"))

    def test_it_leaves_other_partners_referrals_out_of_the_list(self) -> None:
        response = self.client.get("/partner/?show=all")

        assert [r.pk for r in response.context["page"]] == [self.ours.pk]
        self.assertNotContains(response, "Quentin")

    def test_it_shows_the_other_partner_its_own_and_not_ours(self) -> None:
        self.client.force_login(self.prescriber2)

        assert self.client.get(f"/partner/referrals/{self.theirs.pk}/").status_code == 200
        response = self.client.get(f"/partner/referrals/{self.ours.pk}/")
        assert response.status_code == 404
        self.assertNotContains(response, "Ottilie", status_code=404)

    def test_it_keeps_the_prescriber_out_of_the_practice_pages(self) -> None:
        for url in (
            "/staff/clients/",
            f"/staff/clients/{self.ours_client.pk}/",
            f"/staff/referrals/{self.ours.pk}/",
            f"/staff/referrals/new/{self.ours_client.pk}/",
            "/staff/requests/",
        ):
            with self.subTest(url=url):
                self.assert_hidden(self.client.get(url), status=403)
                self.assertNotContains(self.client.get(url), "Ottilie", status_code=403)
        for action in ("answer", "close"):
            with self.subTest(action=action):
                response = self.client.post(f"/staff/referrals/{self.ours.pk}/{action}/")
                assert response.status_code == 403
        assert Referral.objects.get(pk=self.ours.pk).status == ReferralStatus.SENT

    def test_it_follows_the_prescriber_when_they_move_organisation(self) -> None:
        membership_set(user=self.prescriber, partner=self.partner2)

        assert self.client.get(f"/partner/referrals/{self.ours.pk}/").status_code == 404
        assert self.client.get(f"/partner/referrals/{self.theirs.pk}/").status_code == 200

    def test_it_shows_a_prescriber_without_an_organisation_nothing(self) -> None:
        PartnerMembership.objects.filter(user=self.prescriber).delete()

        for referral in (self.ours, self.theirs):
            with self.subTest(referral=referral.pk):
                assert self.client.get(f"/partner/referrals/{referral.pk}/").status_code == 404
        assert list(self.client.get("/partner/").context["page"]) == []
