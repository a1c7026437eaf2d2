from __future__ import annotations

from accounts.models import Role
from audit.models import AuditEvent
from partners.models import ReferralStatus
from pathways.testing import make_prescriber, make_prescription, make_referral, make_user
from prescriptions.models import Prescription, RxStatus
from prescriptions.tests.helpers import RxTestCase, rx_data


class PortalIsolationTestCase(RxTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rx = make_prescription(self.referral, self.prescriber)
        self.fresh = make_referral(
            self.rx_client, self.partner, self.therapist, status=ReferralStatus.ELIGIBLE
        )

    def urls(self) -> list[tuple[str, str, dict[str, str]]]:
        return [
            ("get", f"/partner/prescriptions/new/{self.fresh.pk}/", {}),
            ("post", f"/partner/prescriptions/new/{self.fresh.pk}/", rx_data()),
            ("get", f"/partner/prescriptions/{self.rx.pk}/", {}),
            ("get", f"/partner/prescriptions/{self.rx.pk}/revise/", {}),
            ("post", f"/partner/prescriptions/{self.rx.pk}/revise/", rx_data(dose_mg="300")),
            ("post", f"/partner/prescriptions/{self.rx.pk}/discontinue/", {"reason": "Mine."}),
        ]

    def assert_all_404(self) -> None:
        for method, url, data in self.urls():
            response = getattr(self.client, method)(url, data)
            assert response.status_code == 404, (method, url, response.status_code)
            self.assertNotContains(response, "Marisol", status_code=404)
        self.rx.refresh_from_db()
        assert self.rx.status == RxStatus.ACTIVE
        assert Prescription.objects.count() == 1
        assert not AuditEvent.objects.filter(action__startswith="prescription.").exists()

    def test_another_partners_prescriber_gets_404_everywhere(self) -> None:
        self.client.force_login(self.prescriber2)

        self.assert_all_404()

    def test_a_prescriber_without_a_partner_gets_404_everywhere(self) -> None:
        self.client.force_login(make_user("loner", Role.PRESCRIBER))

        self.assert_all_404()

    def test_a_colleague_at_the_same_partner_may_see_it(self) -> None:
        colleague = make_prescriber("colleague", self.partner)
        self.client.force_login(colleague)

        response = self.client.get(f"/partner/prescriptions/{self.rx.pk}/")

        self.assertContains(response, "Marisol Quintero")

    def test_a_prescriber_cannot_write_for_a_referral_not_evaluated_eligible(self) -> None:
        self.rx.status = RxStatus.DISCONTINUED
        self.rx.save()
        self.client.force_login(self.prescriber)
        for status in ReferralStatus.values:
            if status == ReferralStatus.ELIGIBLE:
                continue
            with self.subTest(status=status):
                self.fresh.status = status
                self.fresh.save()
                url = f"/partner/prescriptions/new/{self.fresh.pk}/"

                page = self.client.get(url)
                response = self.client.post(url, rx_data())

                for reply in (page, response):
                    self.assertContains(reply, "only after the referral is evaluated eligible")
                    self.assertNotContains(reply, 'name="dose_mg"')
        assert Prescription.objects.count() == 1

    def test_the_staff_side_is_not_the_portal(self) -> None:
        for user in (self.admin, self.intake, self.therapist):
            self.client.force_login(user)

            response = self.client.get(f"/partner/prescriptions/{self.rx.pk}/")

            assert response.status_code == 403
