"""The demo practice shows the release governing disclosure: an accounting with rows
for every referral, and one referral whose release was revoked ("access ended")."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from accounts.models import User
from clients.models import Client
from partners.models import Disclosure, Referral
from partners.tests.support import ENDED


class DemoDisclosuresTestCase(TestCase):
    elliot: Client

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())
        cls.elliot = Client.objects.get(first_name="Elliot", last_name="Shaw")

    def test_it_ends_the_partners_access_to_the_revoked_referral(self) -> None:
        referral = Referral.objects.get(client=self.elliot)
        self.client.force_login(User.objects.get(username="prescriber"))

        page = self.client.get(reverse("portal:referral", args=[referral.pk]))
        home = self.client.get(reverse("portal:home") + "?show=all")

        self.assertContains(page, ENDED, status_code=403)
        self.assertNotContains(page, "Elliot", status_code=403)
        self.assertContains(home, "1 referral is no longer shared")
        self.assertNotContains(home, "Elliot Shaw")

    def test_it_has_an_accounting_for_every_referral(self) -> None:
        self.client.force_login(User.objects.get(username="therapist"))

        response = self.client.get(reverse("partners:disclosures", args=[self.elliot.pk]))

        self.assertContains(response, "Sent by the practice")
        self.assertContains(response, "Read by the partner in the portal")
        for referral in Referral.objects.all():
            self.assertTrue(Disclosure.objects.filter(client=referral.client_id).exists())
