"""The session summary in the portal only while the client's release of information to
the partner is in force: revoking it cuts the page at once; each reading is written
to the accounting of disclosures."""

from __future__ import annotations

from django.urls import reverse

from audit.models import AuditEvent
from dosing.access import get_record_for_prescriber, records_for_prescriber
from dosing.tests.support import open_record
from partners.access import AccessEnded
from partners.models import Disclosure
from partners.tests.support import assert_access_ended, phi_of, revoke_releases
from pathways.testing import BaseTestCase, request_for


class PortalSummaryReleaseTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        _, self.record = open_record(self.therapist, self.prescriber, self.partner)
        self.referral = self.record.prescription.referral
        self.client_name = self.referral.client.full_name
        self.phi = phi_of(self.referral)
        self.url = reverse("portal_dosing:summary", args=[self.record.pk])
        self.client.force_login(self.prescriber)

    def revoke(self) -> None:
        revoke_releases(self.referral, self.therapist)

    def test_it_lists_a_record_only_while_the_release_is_in_force(self) -> None:
        self.assertIn(self.record, records_for_prescriber(request_for(self.prescriber)))

        self.revoke()

        self.assertNotIn(self.record, records_for_prescriber(request_for(self.prescriber)))
        with self.assertRaises(AccessEnded):
            get_record_for_prescriber(request_for(self.prescriber), self.record.pk)

    def test_it_cuts_the_summary_at_once(self) -> None:
        self.assertContains(self.client.get(self.url), self.client_name)

        self.revoke()

        assert_access_ended(self, self.client.get(self.url), self.phi)
        audit = AuditEvent.objects.get(action="referral.access_ended")
        self.assertEqual(audit.client_id, self.referral.client_id)

    def test_it_records_the_reading_in_the_accounting(self) -> None:
        self.client.get(self.url)

        disclosure = Disclosure.objects.get()
        self.assertEqual(
            (disclosure.kind, disclosure.channel, disclosure.object_ids),
            (
                "session_summary",
                "portal_read",
                {"record": self.record.pk, "referral": self.referral.pk},
            ),
        )
        self.assertEqual(disclosure.release_id, self.referral.release_id)
        self.assertEqual(disclosure.by, self.prescriber)
