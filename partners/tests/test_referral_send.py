"""Sending a referral: the release it needs, what it shares, and who hears of it."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from accounts.actor import Actor
from audit.models import AuditEvent
from clients.models import Allergy, Diagnosis, ReportedMedication
from consents.models import ConsentKind, ConsentRevocation
from notifications.models import OutboundEmail
from partners.models import Referral, ReferralEvent, ReferralStatus, Step
from partners.services import ReferralError, referral_send
from partners.tests.helpers import all_answers, referral_form
from pathways.testing import BaseTestCase, make_client, make_prescriber, make_signed_consent

NO_RELEASE = (
    "No signed release of information to Blue Ridge Psychiatry is on file. "
    "Send one from the client page first."
)
REASON = "Recurrent depression; two SSRIs tried without relief."


class ReferralSendTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Ottilie", last_name="Brennan-Vasquez", assigned_therapist=self.therapist
        )
        self.release = make_signed_consent(self.record, ConsentKind.ROI, self.partner)

    def send(self, prescreen_notes: str = "") -> Referral:
        return referral_send(
            actor=Actor.for_user(self.therapist),
            client=self.record,
            partner=self.partner,
            reason=REASON,
            prescreen=all_answers(),
            prescreen_notes=prescreen_notes,
        )

    def test_it_needs_a_release_to_that_partner(self) -> None:
        other = make_client(first_name="Nora")
        make_signed_consent(other, ConsentKind.ROI, self.partner2)  # to the other partner
        make_signed_consent(other, ConsentKind.KAP)  # not a release at all

        with self.assertRaisesMessage(ReferralError, NO_RELEASE) as caught:
            referral_send(
                actor=Actor.for_user(self.admin),
                client=other,
                partner=self.partner,
                reason=REASON,
                prescreen=all_answers(),
            )

        assert caught.exception.field == "partner"
        assert not Referral.objects.exists()
        assert not OutboundEmail.objects.exists()

    def test_it_refuses_a_revoked_release(self) -> None:
        ConsentRevocation.objects.create(
            consent=self.release, recorded_by=self.therapist, reason="Client asked."
        )

        with self.assertRaisesMessage(ReferralError, NO_RELEASE):
            self.send()

        assert not Referral.objects.exists()

    def test_it_uses_a_newer_release_after_a_revocation(self) -> None:
        ConsentRevocation.objects.create(
            consent=self.release, recorded_by=self.therapist, reason="Client asked."
        )
        newer = make_signed_consent(self.record, ConsentKind.ROI, self.partner)

        assert self.send().release == newer

    def test_it_keeps_the_release_it_was_sent_under(self) -> None:
        referral = self.send()

        assert referral.release == self.release
        assert referral.referred_by == self.therapist
        assert (referral.client, referral.partner) == (self.record, self.partner)
        assert referral.status == ReferralStatus.SENT

    def test_it_snapshots_what_is_current_in_the_record(self) -> None:
        gone = timezone.now() - dt.timedelta(days=3)
        add = Diagnosis.objects.create
        add(client=self.record, code="F43.10", description="PTSD", added_by=self.therapist)
        add(
            client=self.record, code="F33.1", description="MDD, recurrent", added_by=self.therapist
        )
        add(
            client=self.record,
            code="F41.1",
            description="GAD",
            added_by=self.therapist,
            resolved_at=gone,
        )
        ReportedMedication.objects.create(
            client=self.record, name="Sertraline", dose="100 mg", frequency="daily"
        )
        ReportedMedication.objects.create(client=self.record, name="Bupropion", stopped_at=gone)
        Allergy.objects.create(
            client=self.record, substance="Penicillin", reaction="Hives", severity="severe"
        )
        Allergy.objects.create(client=self.record, substance="Latex")
        Allergy.objects.create(client=self.record, substance="Sulfa", removed_at=gone)

        referral = self.send(prescreen_notes="BP 128/82 at intake.")

        assert referral.diagnoses == [
            {"code": "F33.1", "description": "MDD, recurrent"},
            {"code": "F43.10", "description": "PTSD"},
        ]
        assert referral.medications == ["Sertraline 100 mg daily"]
        assert referral.allergies == ["Latex", "Penicillin (Hives; severe)"]
        assert referral.measure_scores == []
        assert referral.reason == REASON
        assert referral.prescreen == all_answers()
        assert referral.prescreen_notes == "BP 128/82 at intake."

    def test_it_keeps_the_snapshot_when_the_record_changes(self) -> None:
        diagnosis = Diagnosis.objects.create(
            client=self.record, code="F33.1", description="MDD", added_by=self.therapist
        )
        referral = self.send()

        diagnosis.resolved_at = timezone.now()
        diagnosis.save()
        ReportedMedication.objects.create(client=self.record, name="Lamotrigine")

        referral.refresh_from_db()
        assert referral.diagnoses == [{"code": "F33.1", "description": "MDD"}]
        assert referral.medications == []

    def test_it_starts_the_thread(self) -> None:
        referral = self.send()

        event = ReferralEvent.objects.get(referral=referral)
        assert (event.step, event.by, event.text) == (Step.SENT, self.therapist, "")

    def test_it_writes_an_audit_entry_with_ids_only(self) -> None:
        referral = self.send()

        audit = AuditEvent.objects.get(action="referral.send")
        assert audit.actor == self.therapist
        assert audit.object_type == "partners.referral"
        assert audit.object_id == str(referral.pk)
        assert audit.client_id == self.record.pk
        assert audit.detail == {
            "partner": self.partner.pk,
            "release": self.release.pk,
            "event": referral.events.get().pk,
            "status": "sent",
        }

    def test_it_e_mails_the_partners_prescribers_without_phi(self) -> None:
        make_prescriber("prescriber-b", self.partner)
        make_prescriber("prescriber-gone", self.partner, is_active=False)
        no_mail = make_prescriber("prescriber-no-mail", self.partner)
        no_mail.email = ""
        no_mail.save()
        Diagnosis.objects.create(
            client=self.record, code="F43.10", description="PTSD", added_by=self.therapist
        )

        with self.captureOnCommitCallbacks(execute=True):
            referral = self.send()

        assert sorted(m.to[0] for m in mail.outbox) == [
            "office@partner.example",
            "prescriber-b@pathways.example",
            "prescriber@pathways.example",
        ]
        for message in mail.outbox:
            text = f"{message.subject}{message.body}"
            for phi in ("Ottilie", "Brennan", REASON, "depression", "F43.10", "PTSD"):
                assert phi not in text
            assert f"http://127.0.0.1:8000/partner/referrals/{referral.pk}/" in message.body
            assert message.subject == "A new referral from Pathways Family Counseling Services"
            assert "Sign in to see it" in message.body

    def test_it_refuses_a_second_open_referral_to_the_same_partner(self) -> None:
        first = self.send()

        with self.assertRaisesMessage(
            ReferralError, "This client already has an open referral to Blue Ridge Psychiatry."
        ) as caught:
            self.send()

        assert caught.exception.field == "partner"
        assert list(Referral.objects.all()) == [first]

    def test_it_refers_again_once_the_last_referral_is_closed(self) -> None:
        first = self.send()
        Referral.objects.filter(pk=first.pk).update(status=ReferralStatus.CLOSED)

        second = self.send()

        assert second.pk != first.pk
        assert second.status == ReferralStatus.SENT

    def test_it_refuses_an_incomplete_pre_screen(self) -> None:
        answers = all_answers()
        del answers["pregnancy"]
        for bad in (answers, all_answers(pregnancy="maybe"), {**all_answers(), "extra": "no"}):
            with self.subTest(bad=bad), self.assertRaises(ReferralError):
                referral_send(
                    actor=Actor.for_user(self.therapist),
                    client=self.record,
                    partner=self.partner,
                    reason=REASON,
                    prescreen=bad,
                )
        assert not Referral.objects.exists()

    def test_it_refuses_an_empty_reason_and_an_inactive_partner(self) -> None:
        with self.assertRaisesMessage(ReferralError, "Say why"):
            referral_send(
                actor=Actor.for_user(self.therapist),
                client=self.record,
                partner=self.partner,
                reason="  ",
                prescreen=all_answers(),
            )
        self.partner.active = False
        self.partner.save()
        with self.assertRaisesMessage(ReferralError, "no longer takes referrals"):
            self.send()

    def test_it_refuses_a_referral_by_intake_or_a_prescriber(self) -> None:
        for user in (self.intake, self.prescriber):
            with self.subTest(user=user.username), self.assertRaises(ReferralError):
                referral_send(
                    actor=Actor.for_user(user),
                    client=self.record,
                    partner=self.partner,
                    reason=REASON,
                    prescreen=all_answers(),
                )


class ReferralNewPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Ottilie",
            last_name="Brennan-Vasquez",
            assigned_therapist=self.therapist,
            address_line1="12 Hidden Lane",
        )
        make_signed_consent(self.record, ConsentKind.ROI, self.partner)
        self.url = f"/staff/referrals/new/{self.record.pk}/"

    def test_it_shows_the_form_and_what_will_be_shared(self) -> None:
        Diagnosis.objects.create(
            client=self.record, code="F43.10", description="PTSD", added_by=self.therapist
        )
        ReportedMedication.objects.create(client=self.record, name="Sertraline", dose="50 mg")
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        assert response.status_code == 200
        self.assertContains(
            response,
            "<legend>Pre-screen (informs the prescriber; it does not decide eligibility)</legend>",
            html=True,
        )
        for text in ("F43.10 PTSD", "Sertraline 50 mg", "Uncontrolled hypertension", "None yet"):
            self.assertContains(response, text)
        self.assertContains(response, 'type="radio"', count=30)
        self.assertContains(response, "A signed release of information is on file for: Blue Ridge")
        self.assertNotContains(response, "12 Hidden Lane")
        audit = AuditEvent.objects.get(action="referral.prepare")
        assert (audit.client_id, audit.actor) == (self.record.pk, self.therapist)

    def test_it_offers_only_active_partners(self) -> None:
        self.partner2.active = False
        self.partner2.save()
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        self.assertContains(response, "Blue Ridge Psychiatry")
        self.assertNotContains(response, "Tidewater")

    def test_it_sends_the_referral(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(
            self.url,
            referral_form(
                self.partner.pk, prescreen_hypertension="yes", prescreen_liver="unknown"
            ),
        )

        referral = Referral.objects.get()
        self.assertRedirects(
            response, f"/staff/referrals/{referral.pk}/", fetch_redirect_response=False
        )
        assert referral.prescreen["hypertension"] == "yes"
        assert referral.prescreen["liver"] == "unknown"
        assert referral.reason == REASON

    def test_it_says_beside_the_partner_when_there_is_no_release_and_keeps_the_text(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(
            self.url, referral_form(self.partner2.pk, prescreen_glaucoma="yes")
        )

        assert response.status_code == 200
        self.assertContains(
            response,
            '<p class="error" id="id_partner_error">No signed release of information to '
            "Tidewater Medication Management is on file. Send one from the client page first.</p>",
            html=True,
        )
        self.assertContains(response, REASON)
        self.assertContains(
            response,
            '<input type="radio" name="prescreen_glaucoma" value="yes" required '
            'id="id_prescreen_glaucoma_1" checked>',
            html=True,
        )
        assert not Referral.objects.exists()

    def test_it_sends_a_double_submit_once(self) -> None:
        self.client.force_login(self.therapist)

        self.client.post(self.url, referral_form(self.partner.pk))
        response = self.client.post(self.url, referral_form(self.partner.pk))

        assert response.status_code == 200
        self.assertContains(
            response,
            '<p class="error" id="id_partner_error">This client already has an open referral '
            "to Blue Ridge Psychiatry. Close it before sending a new one.</p>",
            html=True,
        )
        assert Referral.objects.count() == 1

    def test_it_says_beside_an_unanswered_item_which_one(self) -> None:
        self.client.force_login(self.therapist)
        data = referral_form(self.partner.pk)
        del data["prescreen_pregnancy"]

        response = self.client.post(self.url, data)

        assert response.status_code == 200
        self.assertContains(
            response,
            '<p class="error" id="id_prescreen_pregnancy_error">Choose no, yes or unknown.</p>',
            html=True,
        )
        self.assertContains(response, "Please check the form")
        self.assertContains(response, REASON)
        assert not Referral.objects.exists()

    def test_it_survives_nonsense(self) -> None:
        self.client.force_login(self.therapist)
        data = referral_form("x", reason="", prescreen_liver="perhaps")

        response = self.client.post(self.url, data)

        assert response.status_code == 200
        self.assertContains(response, "Choose a partner from the list.")
        self.assertContains(response, "Say why you are referring the client.")
        assert not Referral.objects.exists()

    def test_it_hides_another_therapists_client(self) -> None:
        self.client.force_login(self.therapist2)

        assert self.client.get(self.url).status_code == 404
        response = self.client.post(self.url, referral_form(self.partner.pk))

        assert response.status_code == 404
        self.assertNotContains(response, "Ottilie", status_code=404)
        assert not Referral.objects.exists()

    def test_it_refuses_intake_and_prescribers(self) -> None:
        for user in (self.intake, self.prescriber):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                assert self.client.get(self.url).status_code == 403
                assert (
                    self.client.post(self.url, referral_form(self.partner.pk)).status_code == 403
                )
        assert not Referral.objects.exists()
