"""Adding or removing a prescriber in the partner admin opens or closes the partner
portal to them: a privilege change, audited against the user with ids only."""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from accounts.tests.support import sign_in
from audit.models import AuditEvent
from partners.models import PartnerMembership
from pathways.testing import BaseTestCase, make_user

ACTION = "user.privilege_change"


class MembershipAdminAuditTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        sign_in(self.client, self.admin)
        self.url = f"/admin/partners/partner/{self.partner.pk}/change/"

    def post(self, rows: list[dict[str, Any]]) -> None:
        data: dict[str, Any] = {
            "name": self.partner.name,
            "email": self.partner.email,
            "active": "on",
            "memberships-TOTAL_FORMS": len(rows),
            "memberships-INITIAL_FORMS": sum(1 for row in rows if "id" in row),
            "memberships-MIN_NUM_FORMS": 0,
            "memberships-MAX_NUM_FORMS": 1000,
        }
        for n, row in enumerate(rows):
            for key, value in row.items():
                data[f"memberships-{n}-{key}"] = value
            data[f"memberships-{n}-partner"] = self.partner.pk
        response = self.client.post(self.url, data)
        assert response.status_code == 302, response.context and response.context["errors"]

    def current(self) -> dict[str, Any]:
        membership = PartnerMembership.objects.get(user=self.prescriber)
        return {"id": membership.pk, "user": self.prescriber.pk}

    def test_it_audits_a_user_given_the_partner(self) -> None:
        newcomer = make_user("newcomer", Role.PRESCRIBER)

        self.post([self.current(), {"user": newcomer.pk}])

        event = AuditEvent.objects.get(action=ACTION)
        assert event.actor == self.admin
        assert event.object_id == str(newcomer.pk)
        assert event.detail == {"changed": {"partner": [None, self.partner.pk]}}

    def test_it_audits_a_user_removed_from_the_partner(self) -> None:
        self.post([{**self.current(), "DELETE": "on"}])

        assert not PartnerMembership.objects.filter(user=self.prescriber).exists()
        event = AuditEvent.objects.get(action=ACTION)
        assert event.object_id == str(self.prescriber.pk)
        assert event.detail == {"changed": {"partner": [self.partner.pk, None]}}

    def test_it_audits_nothing_when_the_members_stay(self) -> None:
        self.post([self.current()])

        assert not AuditEvent.objects.filter(action=ACTION).exists()
