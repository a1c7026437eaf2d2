"""Consent governs disclosure: the client's release of information to the partner,
in force at that moment, decides every portal read and write and every practice
disclosure; revoking it cuts access at once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import mail
from django.db import connection
from django.http import Http404
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.actor import Actor
from accounts.models import Role
from audit.models import AuditEvent
from consents.models import ConsentKind
from partners import services
from partners.access import (
    AccessEnded,
    get_referral_for_prescriber,
    get_shared_or_ended,
    partner_id_of,
    referral_counts_for_prescriber,
    referrals_ended_for_prescriber,
    referrals_for_prescriber,
    release_id_of,
)
from partners.disclosures import under_release
from partners.models import (
    Disclosure,
    ImmutableDisclosureError,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Step,
)
from partners.panels import disclosures_panel
from partners.tests.helpers import all_answers, in_a_week, local_input
from partners.tests.support import assert_access_ended, phi_of, revoke_releases
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_referral,
    make_signed_consent,
    make_user,
    request_for,
)


class ReleaseTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Ottilie",
            last_name="Brennan",
            date_of_birth=dt.date(1984, 5, 6),
            phone="(555) 010-0177",
            email="ottilie@example.com",
            assigned_therapist=self.therapist,
        )
        self.referral = make_referral(
            self.record, self.partner, self.therapist, status=ReferralStatus.SCHEDULED
        )
        self.phi = phi_of(self.referral)
        self.url = reverse("portal:referral", args=[self.referral.pk])

    def revoke(self) -> None:
        revoke_releases(self.referral, self.therapist)


class AccessHelperTests(ReleaseTestCase):
    def test_it_lists_a_referral_only_while_its_release_is_in_force(self) -> None:
        request = request_for(self.prescriber)
        self.assertIn(self.referral, referrals_for_prescriber(request))

        self.revoke()

        self.assertNotIn(self.referral, referrals_for_prescriber(request_for(self.prescriber)))
        self.assertIn(self.referral, referrals_ended_for_prescriber(request_for(self.prescriber)))

    def test_it_counts_the_home_as_the_lists_do_in_one_query(self) -> None:
        # Open and closed under a release in force, ended ones (revoked), and another
        # organisation's, which the prescriber's counts never hold.
        for n in range(3):
            make_referral(make_client(first_name=f"Open{n}"), self.partner, self.therapist)
        for n in range(2):
            closed = make_client(first_name=f"Closed{n}")
            make_referral(closed, self.partner, self.therapist, status=ReferralStatus.CLOSED)
        ended = make_referral(make_client(first_name="Ended"), self.partner, self.therapist)
        revoke_releases(ended, self.therapist)
        self.revoke()  # the class's own referral: ended too
        make_referral(make_client(first_name="Elsewhere"), self.partner2, self.therapist)
        request = request_for(self.prescriber)
        shared_now = referrals_for_prescriber(request)

        with CaptureQueriesContext(connection) as queries:
            counts = referral_counts_for_prescriber(request)

        self.assertEqual(len(queries), 1)
        self.assertEqual(counts.open, shared_now.exclude(status=ReferralStatus.CLOSED).count())
        self.assertEqual(counts.closed, shared_now.filter(status=ReferralStatus.CLOSED).count())
        self.assertEqual(counts.ended, referrals_ended_for_prescriber(request).count())
        self.assertEqual((counts.open, counts.closed, counts.ended), (3, 2, 2))
        nobody = referral_counts_for_prescriber(request_for(self.therapist))
        self.assertEqual((nobody.open, nobody.closed, nobody.ended), (0, 0, 0))

    def test_it_reads_a_shared_referral_as_the_orm_does_in_one_query(self) -> None:
        # get_referral_for_prescriber reads through SQL compiled once (issue 14); what
        # it gives is get_shared_or_ended's row: its release, its client and partner.
        request = request_for(self.prescriber)
        partner_id_of(request.user)  # the membership, cached on the user
        with CaptureQueriesContext(connection) as queries:
            got = get_referral_for_prescriber(request, self.referral.pk)
        self.assertEqual(len(queries), 1)
        qs = Referral.objects.filter(partner_id=self.partner.pk).select_related(
            "client", "partner"
        )
        expected = get_shared_or_ended(request, qs, self.referral.pk)
        self.assertEqual(release_id_of(got), release_id_of(expected))
        with self.assertNumQueries(0):
            self.assertEqual(got.client.last_name, "Brennan")
            self.assertEqual(got.partner.name, expected.partner.name)
        self.assertEqual(
            {k: v for k, v in vars(got).items() if k != "_state"},
            {k: v for k, v in vars(expected).items() if k != "_state"},
        )

    def test_it_answers_404_to_a_prescriber_of_no_organisation(self) -> None:
        loner = make_user("loner", Role.PRESCRIBER)
        with self.assertRaises(Http404):
            get_referral_for_prescriber(request_for(loner), self.referral.pk)

    def test_it_refuses_the_referral_at_once_after_revocation_and_audits_it(self) -> None:
        self.assertEqual(
            get_referral_for_prescriber(request_for(self.prescriber), self.referral.pk),
            self.referral,
        )

        self.revoke()

        with self.assertRaises(AccessEnded):
            get_referral_for_prescriber(request_for(self.prescriber), self.referral.pk)
        audit = AuditEvent.objects.get(action="referral.access_ended")
        self.assertEqual(audit.client_id, self.record.pk)
        self.assertEqual(audit.actor, self.prescriber)

    def test_it_answers_404_for_another_partners_referral_revoked_or_not(self) -> None:
        self.revoke()

        with self.assertRaises(Http404):
            get_referral_for_prescriber(request_for(self.prescriber2), self.referral.pk)

    def test_it_shares_again_under_a_new_release(self) -> None:
        self.revoke()
        new_release = make_signed_consent(self.record, ConsentKind.ROI, self.partner)

        referral = get_referral_for_prescriber(request_for(self.prescriber), self.referral.pk)

        self.assertEqual(referral, self.referral)
        self.client.force_login(self.prescriber)
        self.client.get(self.url)
        self.assertEqual(Disclosure.objects.get().release, new_release)

    def test_it_does_not_count_a_release_to_another_partner(self) -> None:
        self.revoke()
        make_signed_consent(self.record, ConsentKind.ROI, self.partner2)

        with self.assertRaises(AccessEnded):
            get_referral_for_prescriber(request_for(self.prescriber), self.referral.pk)

    def test_it_refuses_a_write_when_the_release_ended_in_between(self) -> None:
        # The view read the referral, then the release was revoked: the write, run
        # under the release's lock, sees the revocation and never runs.
        referral = get_referral_for_prescriber(request_for(self.prescriber), self.referral.pk)
        self.revoke()
        ran: list[int] = []

        with self.assertRaises(AccessEnded):
            under_release(
                actor=Actor.for_user(self.prescriber),
                referral=referral,
                write=lambda release: ran.append(release.pk),
            )

        self.assertEqual(ran, [])
        self.assertTrue(AuditEvent.objects.filter(action="referral.access_ended").exists())


class PrescriberStepTests(ReleaseTestCase):
    def test_it_refuses_a_prescriber_step_after_revocation_and_keeps_the_audit(self) -> None:
        self.revoke()

        with self.assertRaises(services.ReleaseEnded):
            services.referral_step(
                actor=Actor.for_user(self.prescriber),
                referral=self.referral,
                step=Step.ELIGIBLE,
            )

        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, ReferralStatus.SCHEDULED)
        self.assertFalse(ReferralEvent.objects.filter(step=Step.ELIGIBLE).exists())
        self.assertEqual(AuditEvent.objects.filter(action="referral.access_ended").count(), 1)


class PracticeDisclosureTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(first_name="Ottilie", assigned_therapist=self.therapist)
        self.referral = make_referral(
            self.record, self.partner, self.therapist, status=ReferralStatus.NEEDS_INFO
        )
        self.actor = Actor.for_user(self.therapist)

    def test_it_refuses_the_answer_after_revocation_with_a_message_for_staff(self) -> None:
        revoke_releases(self.referral, self.therapist)

        with (
            self.captureOnCommitCallbacks(execute=True),
            self.assertRaisesMessage(services.ReleaseEnded, "no longer in force"),
        ):
            services.referral_step(
                actor=self.actor, referral=self.referral, step=Step.ANSWER, text="No mania."
            )

        self.assertFalse(ReferralEvent.objects.filter(step=Step.ANSWER).exists())
        self.assertFalse(Disclosure.objects.exists())
        self.assertEqual(mail.outbox, [])
        self.assertTrue(AuditEvent.objects.filter(action="referral.disclosure_refused").exists())

    def test_it_shows_the_refusal_on_the_staff_referral_page(self) -> None:
        revoke_releases(self.referral, self.therapist)
        self.client.force_login(self.therapist)

        response = self.client.post(
            reverse("partners:answer", args=[self.referral.pk]),
            {"answer-text": "No mania."},
            follow=True,
        )

        self.assertContains(response, "is no longer in force")
        self.assertNotContains(response, "Send answer")
        self.assertFalse(ReferralEvent.objects.filter(step=Step.ANSWER).exists())

    def test_it_lets_the_practice_close_after_revocation_telling_the_partner_nothing(
        self,
    ) -> None:
        revoke_releases(self.referral, self.therapist)

        with self.captureOnCommitCallbacks(execute=True):
            services.referral_step(actor=self.actor, referral=self.referral, step=Step.CLOSED)

        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, ReferralStatus.CLOSED)
        self.assertFalse(Disclosure.objects.exists())
        partner_mail = [m for m in mail.outbox if "office@partner.example" in m.to]
        self.assertEqual(partner_mail, [])

    def test_it_refuses_to_send_a_referral_after_revocation(self) -> None:
        other = make_client(first_name="Wren", assigned_therapist=self.therapist)
        release = make_signed_consent(other, ConsentKind.ROI, self.partner)
        revoke_releases(
            make_referral(
                other, self.partner, self.therapist, release=release, status=ReferralStatus.CLOSED
            ),
            self.therapist,
        )

        with self.assertRaisesMessage(services.ReferralError, "No signed release"):
            services.referral_send(
                actor=self.actor,
                client=other,
                partner=self.partner,
                reason="Depression.",
                prescreen=all_answers(),
            )

        self.assertFalse(Disclosure.objects.exists())


class PortalViewTests(ReleaseTestCase):
    """Same prescriber, same referral: the page before the revocation, then not."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.prescriber)

    def test_it_cuts_the_referral_page_at_once(self) -> None:
        self.assertContains(self.client.get(self.url), "Ottilie Brennan")

        self.revoke()

        assert_access_ended(self, self.client.get(self.url), self.phi)
        self.assertTrue(
            AuditEvent.objects.filter(
                action="referral.access_ended", client_id=self.record.pk
            ).exists()
        )

    def test_it_cuts_the_list_at_once_and_only_counts_what_ended(self) -> None:
        home = reverse("portal:home")
        self.assertContains(self.client.get(home), "Ottilie Brennan")

        self.revoke()

        response = self.client.get(home)
        self.assertEqual(response.status_code, 200)
        for text in self.phi:
            self.assertNotContains(response, text)
        self.assertContains(response, "1 referral is no longer shared")

    def test_it_cuts_each_step_at_once(self) -> None:
        steps = {
            "portal:schedule": {"schedule-evaluation_at": local_input(in_a_week())},
            "portal:evaluate": {"evaluate-result": "eligible"},
            "portal:close": {"close-text": ""},
        }
        self.revoke()
        for name, data in steps.items():
            with self.subTest(name=name):
                response = self.client.post(reverse(name, args=[self.referral.pk]), data)

                assert_access_ended(self, response, self.phi)
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, ReferralStatus.SCHEDULED)
        self.assertEqual(ReferralEvent.objects.filter(referral=self.referral).count(), 0)

    def test_it_still_refuses_another_partners_prescriber_with_404(self) -> None:
        self.revoke()
        self.client.force_login(self.prescriber2)

        self.assertEqual(self.client.get(self.url).status_code, 404)


class AccountingTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(first_name="Ottilie", assigned_therapist=self.therapist)
        make_signed_consent(self.record, ConsentKind.ROI, self.partner)

    def test_it_records_a_referral_sent_under_its_release(self) -> None:
        referral = services.referral_send(
            actor=Actor.for_user(self.therapist),
            client=self.record,
            partner=self.partner,
            reason="Depression.",
            prescreen=all_answers(),
        )

        disclosure = Disclosure.objects.get()
        self.assertEqual(disclosure.kind, "referral")
        self.assertEqual(disclosure.channel, "practice_send")
        self.assertEqual(disclosure.release, referral.release)
        self.assertEqual(disclosure.client, self.record)
        self.assertEqual(disclosure.partner, self.partner)
        self.assertEqual(disclosure.by, self.therapist)
        self.assertEqual(disclosure.object_ids["referral"], referral.pk)

    def test_it_records_a_practice_answer(self) -> None:
        referral = make_referral(
            self.record, self.partner, self.therapist, status=ReferralStatus.NEEDS_INFO
        )

        event = services.referral_step(
            actor=Actor.for_user(self.therapist), referral=referral, step=Step.ANSWER, text="No."
        )

        disclosure = Disclosure.objects.get()
        self.assertEqual((disclosure.kind, disclosure.channel), ("message", "practice_send"))
        self.assertEqual(disclosure.object_ids, {"referral": referral.pk, "event": event.pk})

    def test_it_records_nothing_for_the_prescribers_own_step(self) -> None:
        referral = make_referral(self.record, self.partner, self.therapist)

        services.referral_step(
            actor=Actor.for_user(self.prescriber),
            referral=referral,
            step=Step.SCHEDULED,
            evaluation_at=in_a_week(),
        )

        self.assertFalse(Disclosure.objects.exists())

    def test_it_records_each_portal_read_of_the_referral_and_the_list(self) -> None:
        referral = make_referral(self.record, self.partner, self.therapist)
        self.client.force_login(self.prescriber)

        self.client.get(reverse("portal:referral", args=[referral.pk]))
        self.client.get(reverse("portal:home"))

        kinds = sorted(Disclosure.objects.values_list("kind", "channel", "object_ids"))
        self.assertEqual(
            kinds,
            [
                ("referral", "portal_read", {"referral": referral.pk}),
                ("referral_list", "portal_read", {"referral": referral.pk}),
            ],
        )

    def test_it_keeps_a_disclosure_as_written(self) -> None:
        referral = make_referral(self.record, self.partner, self.therapist)
        self.client.force_login(self.prescriber)
        self.client.get(reverse("portal:referral", args=[referral.pk]))
        disclosure = Disclosure.objects.get()

        for change in (disclosure.save, disclosure.delete, Disclosure.objects.all().delete):
            with self.subTest(change=change), self.assertRaises(ImmutableDisclosureError):
                change()
        self.assertEqual(Disclosure.objects.count(), 1)


class DisclosuresPageTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(first_name="Ottilie", assigned_therapist=self.therapist)
        self.referral = make_referral(self.record, self.partner, self.therapist)
        self.client.force_login(self.prescriber)
        self.client.get(reverse("portal:referral", args=[self.referral.pk]))
        self.url = reverse("partners:disclosures", args=[self.record.pk])

    def test_it_lists_the_accounting_for_the_clients_therapist_intake_and_admin(self) -> None:
        for user in (self.therapist, self.intake, self.admin):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                response = self.client.get(self.url)

                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Blue Ridge Psychiatry")
                self.assertContains(response, "Read by the partner in the portal")
                self.assertContains(response, f"referral #{self.referral.pk}")
                self.assertContains(response, f"Release #{self.referral.release_id}")
                self.assertIn("no-store", response["Cache-Control"])

    def test_it_audits_the_reading(self) -> None:
        self.client.force_login(self.therapist)

        self.client.get(self.url)

        audit = AuditEvent.objects.get(action="disclosure.list")
        self.assertEqual(audit.client_id, self.record.pk)

    def test_it_answers_404_for_another_therapists_client_and_403_for_a_prescriber(
        self,
    ) -> None:
        self.client.force_login(self.therapist2)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.force_login(self.prescriber)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_is_linked_from_the_client_page_panel(self) -> None:
        panel = disclosures_panel(request_for(self.therapist), self.record)

        assert panel is not None
        self.assertEqual(panel.context["count"], 1)

    def test_it_shows_the_link_on_the_client_page_when_listed_in_settings(self) -> None:
        self.client.force_login(self.therapist)
        panels = [*settings.PATHWAYS_CLIENT_PANELS, "partners.panels.disclosures_panel"]

        with override_settings(PATHWAYS_CLIENT_PANELS=panels):
            response = self.client.get(reverse("clients:detail", args=[self.record.pk]))

        self.assertContains(response, "1 disclosure recorded")
        self.assertContains(response, f'href="{self.url}"')
