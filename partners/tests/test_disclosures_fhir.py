"""The FHIR exports in the client's accounting of disclosures (issue 13): a download
from the chart (no partner, no release: the member of staff who downloaded it is the
recipient) and a read through the partner API are listed with the rest; only a
download may go without a partner and a release."""

from __future__ import annotations

from django.db import IntegrityError
from django.urls import reverse

from accounts.actor import Actor
from partners.access import shared
from partners.disclosures import disclosure_api_reads, disclosure_fhir_export
from partners.models import (
    Disclosure,
    DisclosureChannel,
    DisclosureKind,
    DisclosurePurpose,
    Referral,
)
from pathways.testing import BaseTestCase, make_client, make_referral


class FhirAccountingTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Fox", last_name="Mulder", assigned_therapist=self.therapist
        )
        self.referral = make_referral(self.record, self.partner, self.therapist)

    def shared_referral(self) -> Referral:
        return shared(Referral.objects.filter(pk=self.referral.pk)).get()

    def test_it_lists_a_download_with_who_downloaded_it_and_why(self) -> None:
        disclosure_fhir_export(
            actor=Actor.for_user(self.therapist),
            client=self.record,
            purpose=DisclosurePurpose.OTHER_PROVIDER,
        )
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("partners:disclosures", args=[self.record.pk]))

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, DisclosureKind.FHIR_EXPORT.label)
        self.assertContains(response, DisclosureChannel.DOWNLOAD.label)
        self.assertContains(response, "Theo")
        self.assertContains(response, "(staff download)")
        self.assertContains(response, DisclosurePurpose.OTHER_PROVIDER.label)
        self.assertContains(response, "None (not to a partner)")

    def test_it_lists_an_api_read_with_the_partner_and_the_release(self) -> None:
        referral = self.shared_referral()
        [written] = disclosure_api_reads(
            actor=Actor.for_user(self.prescriber),
            referrals=[referral],
            object_ids={"api_token": 7},
        )
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("partners:disclosures", args=[self.record.pk]))

        self.assertContains(response, DisclosureKind.FHIR_API_READ.label)
        self.assertContains(response, DisclosureChannel.API_READ.label)
        self.assertContains(response, self.partner.name)
        self.assertContains(response, DisclosurePurpose.TREATMENT.label)
        self.assertContains(response, "api_token #7")
        self.assertContains(response, reverse("consents:detail", args=[written.release_id]))

    def test_it_writes_one_api_read_per_client(self) -> None:
        second = make_referral(self.record, self.partner, self.therapist)
        referrals = list(shared(Referral.objects.filter(pk__in=[self.referral.pk, second.pk])))

        written = disclosure_api_reads(
            actor=Actor.for_user(self.prescriber), referrals=referrals, object_ids={}
        )

        self.assertEqual(len(written), 1)

    def test_it_counts_them_on_the_chart(self) -> None:
        disclosure_fhir_export(
            actor=Actor.for_user(self.admin),
            client=self.record,
            purpose=DisclosurePurpose.CLIENT_REQUEST,
        )
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("clients:tab", args=[self.record.pk, "consents"]))

        self.assertContains(response, "1 disclosure recorded")

    def test_it_refuses_a_partner_read_without_a_partner_or_release(self) -> None:
        with self.assertRaises(IntegrityError):
            Disclosure.objects.create(
                client=self.record,
                kind=DisclosureKind.FHIR_API_READ,
                channel=DisclosureChannel.API_READ,
                by=self.prescriber,
            )
