"""The prescriptions of a referral, in the portal, only while the client's release of
information to the partner is in force: revoking it cuts every page and every write
at once, and each page shown is written to the accounting of disclosures."""

from __future__ import annotations

from unittest import mock

from django.urls import reverse

from audit.models import AuditEvent
from partners.access import AccessEnded
from partners.models import Disclosure
from partners.tests.support import assert_access_ended, phi_of, revoke_releases
from pathways.testing import make_prescription, request_for
from prescriptions.access import get_prescription_for_prescriber, prescriptions_for_prescriber
from prescriptions.models import Prescription, RxStatus
from prescriptions.tests.helpers import RxTestCase, rx_data


class PortalReleaseTestCase(RxTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rx = make_prescription(self.referral, self.prescriber)
        self.phi = [*phi_of(self.referral), "Marisol"]
        self.client.force_login(self.prescriber)

    def revoke(self) -> None:
        revoke_releases(self.referral, self.therapist)

    def url(self, name: str, pk: int | None = None) -> str:
        return reverse(f"portal_rx:{name}", args=[self.rx.pk if pk is None else pk])

    def same_terms(self, **changes: object) -> dict[str, str]:
        return rx_data(
            modality=self.rx.modality,
            valid_from=self.rx.valid_from.isoformat(),
            valid_to=self.rx.valid_to.isoformat(),
            **changes,
        )


class AccessTests(PortalReleaseTestCase):
    def test_it_lists_a_prescription_only_while_the_release_is_in_force(self) -> None:
        self.assertIn(self.rx, prescriptions_for_prescriber(request_for(self.prescriber)))

        self.revoke()

        self.assertNotIn(self.rx, prescriptions_for_prescriber(request_for(self.prescriber)))

    def test_it_gives_access_ended_not_the_prescription_after_revocation(self) -> None:
        self.revoke()

        with self.assertRaises(AccessEnded):
            get_prescription_for_prescriber(request_for(self.prescriber), self.rx.pk)
        self.assertTrue(AuditEvent.objects.filter(action="referral.access_ended").exists())


class PortalViewTests(PortalReleaseTestCase):
    """Same prescriber, same prescription: the page before the revocation, then not."""

    def test_it_cuts_the_prescription_page_at_once(self) -> None:
        self.assertContains(self.client.get(self.url("detail")), "Marisol Quintero")

        self.revoke()

        assert_access_ended(self, self.client.get(self.url("detail")), self.phi)

    def test_it_cuts_the_revision_form_at_once(self) -> None:
        self.assertEqual(self.client.get(self.url("revise")).status_code, 200)

        self.revoke()

        assert_access_ended(self, self.client.get(self.url("revise")), self.phi)

    def test_it_cuts_the_new_prescription_form_at_once(self) -> None:
        url = reverse("portal_rx:new", args=[self.referral.pk])
        self.assertContains(self.client.get(url), "Marisol")

        self.revoke()

        assert_access_ended(self, self.client.get(url), self.phi)

    def test_it_refuses_every_write_after_revocation(self) -> None:
        self.revoke()
        writes = [
            (self.url("revise"), self.same_terms(dose_mg="150")),
            (self.url("discontinue"), {"reason": "Stopped."}),
            (reverse("portal_rx:new", args=[self.referral.pk]), self.same_terms()),
        ]
        for url, data in writes:
            with self.subTest(url=url):
                assert_access_ended(self, self.client.post(url, data), self.phi)
        self.assertEqual(
            list(Prescription.objects.values_list("pk", "status")),
            [(self.rx.pk, RxStatus.ACTIVE)],
        )

    def test_it_refuses_a_revision_when_the_release_ends_while_the_page_is_open(self) -> None:
        # The view read the prescription under the release; the revocation commits
        # before the write, which runs under the release's lock and sees it.
        read = get_prescription_for_prescriber(request_for(self.prescriber), self.rx.pk)
        self.revoke()

        with mock.patch(
            "prescriptions.portal_views.get_prescription_for_prescriber", return_value=read
        ):
            response = self.client.post(self.url("revise"), self.same_terms(dose_mg="150"))

        assert_access_ended(self, response, self.phi)
        self.assertEqual(Prescription.objects.count(), 1)
        self.assertEqual(
            AuditEvent.objects.filter(action="referral.access_ended", detail__write=True).count(),
            1,
        )

    def test_it_records_each_page_shown_in_the_accounting(self) -> None:
        self.client.get(self.url("detail"))
        self.client.get(self.url("revise"))

        rows = list(Disclosure.objects.values_list("kind", "channel", "object_ids", "release"))
        expected = (
            "prescription",
            "portal_read",
            {"prescription": self.rx.pk, "referral": self.referral.pk},
            self.referral.release_id,
        )
        self.assertEqual(rows, [expected, expected])
