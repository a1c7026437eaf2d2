from __future__ import annotations

from django.template.loader import render_to_string

from accounts.models import User
from audit.models import AuditEvent
from partners.models import ReferralStatus
from pathways.testing import make_prescription, request_for
from prescriptions.models import RxStatus
from prescriptions.panels import portal_panel
from prescriptions.tests.helpers import RxTestCase


class PortalPanelTestCase(RxTestCase):
    def render(self, user: User | None = None) -> str:
        panel = portal_panel(request_for(user or self.prescriber), self.referral)
        assert panel is not None
        return render_to_string(panel.template, {**panel.context, "referral": self.referral})

    def test_it_offers_to_write_on_an_eligible_referral(self) -> None:
        html = self.render()

        assert f'href="/partner/prescriptions/new/{self.referral.pk}/"' in html
        assert "Write a prescription" in html
        assert "No prescription written on this referral yet." in html

    def test_it_lists_the_referrals_prescriptions_without_the_write_link(self) -> None:
        rx = make_prescription(self.referral, self.prescriber, dose_mg=250)

        html = self.render()

        assert f'href="/partner/prescriptions/{rx.pk}/"' in html
        assert "250.0 mg" in html
        assert "Write a prescription" not in html
        assert "Revise it or discontinue it" in html
        event = AuditEvent.objects.get(action="prescription.list")
        assert event.detail == {"referral": self.referral.pk, "prescriptions": [rx.pk]}

    def test_it_offers_to_write_again_after_a_discontinuation(self) -> None:
        make_prescription(self.referral, self.prescriber, status=RxStatus.DISCONTINUED)

        assert "Write a prescription" in self.render()

    def test_it_shows_nothing_before_the_evaluation(self) -> None:
        self.referral.status = ReferralStatus.SCHEDULED
        self.referral.save()

        assert portal_panel(request_for(self.prescriber), self.referral) is None

    def test_it_shows_nothing_to_another_partner(self) -> None:
        make_prescription(self.referral, self.prescriber)

        assert portal_panel(request_for(self.prescriber2), self.referral) is None

    def test_it_is_on_the_portal_referral_page(self) -> None:
        rx = make_prescription(self.referral, self.prescriber)
        self.client.force_login(self.prescriber)

        response = self.client.get(f"/partner/referrals/{self.referral.pk}/")

        self.assertContains(response, f'href="/partner/prescriptions/{rx.pk}/">Version 1</a>')
