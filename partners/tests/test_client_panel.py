"""What referrals add to the client page: the panel, the timeline, and the admin."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin

from clients.panels import panels_for, timeline_for
from partners.models import Partner, Referral, ReferralEvent, ReferralStatus, Step
from partners.panels import referral_timeline, referrals_panel
from pathways.testing import BaseTestCase, make_client, make_referral, request_for


class ClientPanelTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(first_name="Ottilie", assigned_therapist=self.therapist)
        self.referral = make_referral(
            self.record, self.partner, self.therapist, status=ReferralStatus.SCHEDULED
        )
        make_referral(make_client(first_name="Someone"), self.partner2, self.therapist)

    def test_it_is_registered_with_the_client_page(self) -> None:
        panels = panels_for(request_for(self.therapist), self.record)

        assert "partners/_client_panel.html" in [panel.template for panel in panels]

    def test_it_lists_only_this_clients_referrals(self) -> None:
        panel = referrals_panel(request_for(self.therapist), self.record)

        assert panel.template == "partners/_client_panel.html"
        assert panel.context["referrals"] == [self.referral]

    def test_it_shows_the_referrals_on_the_client_page(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/clients/{self.record.pk}/referrals/")

        self.assertContains(response, f'href="/staff/referrals/{self.referral.pk}/"')
        self.assertContains(response, "Evaluation scheduled")
        self.assertContains(
            response,
            f'<a class="button small" href="/staff/referrals/new/{self.record.pk}/">'
            "Refer to a medication-management partner</a>",
            html=True,
        )
        self.assertNotContains(response, "Tidewater")

    def test_it_offers_to_refer_only_to_clinical_roles(self) -> None:
        for user, offered in ((self.admin, True), (self.therapist, True), (self.intake, False)):
            with self.subTest(user=user.username):
                panel = referrals_panel(request_for(user), self.record)

                assert panel.context["can_refer"] is offered
        self.client.force_login(self.intake)
        response = self.client.get(f"/staff/clients/{self.record.pk}/referrals/")
        self.assertContains(response, f'href="/staff/referrals/{self.referral.pk}/"')
        self.assertNotContains(response, "Refer to a medication-management partner")

    def test_it_adds_one_timeline_entry_per_step_without_free_text(self) -> None:
        at = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
        for offset, (step, text) in enumerate(
            [(Step.SENT, ""), (Step.SCHEDULED, ""), (Step.NEEDS_INFO, "Any history of mania?")]
        ):
            event = ReferralEvent.objects.create(
                referral=self.referral, step=step, by=self.prescriber, text=text
            )
            ReferralEvent.objects.filter(pk=event.pk).update(at=at + dt.timedelta(days=offset))

        entries = referral_timeline(self.record)

        assert [entry.text for entry in entries] == [
            "Referral to Blue Ridge Psychiatry: Sent",
            "Referral to Blue Ridge Psychiatry: Evaluation scheduled",
            "Referral to Blue Ridge Psychiatry: Question from the prescriber",
        ]
        assert {entry.url for entry in entries} == {f"/staff/referrals/{self.referral.pk}/"}
        assert {entry.kind for entry in entries} == {"referral"}
        assert entries[0].at == at
        assert "Referral to Blue Ridge Psychiatry: Sent" in [
            e.text for e in timeline_for(self.record)
        ]

    def test_it_keeps_partners_in_the_admin_and_referrals_out(self) -> None:
        assert admin.site.is_registered(Partner)
        assert not admin.site.is_registered(Referral)
        assert not admin.site.is_registered(ReferralEvent)

    def test_it_lists_and_searches_partners_in_the_admin(self) -> None:
        self.client.force_login(self.admin)

        response = self.client.get("/admin/partners/partner/?q=Tidewater")

        assert response.status_code == 200
        self.assertContains(response, "Tidewater Medication Management")
        self.assertNotContains(response, "Blue Ridge Psychiatry")
