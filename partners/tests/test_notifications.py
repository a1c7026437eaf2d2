"""Each step tells the other side by e-mail, through the outbox and the background task.

The e-mail names the practice and links to sign in: no client, no reason, no result.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.test import override_settings

from accounts.actor import Actor
from accounts.models import Role, User
from notifications.models import OutboundEmail
from partners.models import Referral, ReferralEvent, ReferralStatus, Step
from partners.notifications import partner_recipients, practice_recipients
from partners.services import ReferralError, membership_set, referral_step
from partners.tests.helpers import in_a_week
from pathways.testing import BaseTestCase, make_client, make_prescriber, make_referral, make_user

PRESCRIBERS = ["office@partner.example", "prescriber@pathways.example"]
# Words that would tell a reader of the e-mail something about the client.
PHI = (
    "Ottilie",
    "Brennan",
    "F33.1",
    "depressive",
    "Sertraline",
    "Blood pressure",
    "history of mania",
    "eligible",
    "Evaluation scheduled",
)


class NotificationsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Ottilie", last_name="Brennan", assigned_therapist=self.therapist2
        )

    def referral(self, status: str = ReferralStatus.SENT) -> Referral:
        return make_referral(self.record, self.partner, self.therapist, status=status)

    def step(
        self,
        user: User,
        referral: Referral,
        step: str,
        text: str = "",
        evaluation_at: dt.datetime | None = None,
    ) -> ReferralEvent:
        with self.captureOnCommitCallbacks(execute=True):
            return referral_step(
                actor=Actor.for_user(user),
                referral=referral,
                step=step,
                text=text,
                evaluation_at=evaluation_at,
            )

    def sent_to(self) -> list[str]:
        return sorted(message.to[0] for message in mail.outbox)

    def assert_no_phi(self) -> None:
        assert mail.outbox
        for message in mail.outbox:
            for word in PHI:
                assert word.lower() not in f"{message.subject}{message.body}".lower(), word

    def test_it_tells_the_practice_of_each_prescriber_step(self) -> None:
        cases: list[tuple[str, str, dict[str, Any]]] = [
            (Step.SCHEDULED, ReferralStatus.SENT, {"evaluation_at": in_a_week()}),
            (Step.ELIGIBLE, ReferralStatus.SCHEDULED, {}),
            (Step.NOT_ELIGIBLE, ReferralStatus.SCHEDULED, {"text": "Blood pressure too high."}),
            (Step.NEEDS_INFO, ReferralStatus.SCHEDULED, {"text": "Any history of mania?"}),
            (Step.CLOSED, ReferralStatus.ELIGIBLE, {}),
        ]
        for step, status, data in cases:
            with self.subTest(step=step):
                mail.outbox.clear()
                referral = self.referral(status)

                self.step(self.prescriber, referral, step, **data)

                # The therapist who referred, and the client's assigned therapist.
                assert self.sent_to() == [
                    "therapist2@pathways.example",
                    "therapist@pathways.example",
                ]
                for message in mail.outbox:
                    assert message.subject == (
                        "An update on a referral: Pathways Family Counseling Services"
                    )
                    assert f"http://127.0.0.1:8000/staff/referrals/{referral.pk}/" in message.body
                    assert "Sign in to see it" in message.body
                self.assert_no_phi()

    def test_it_tells_the_partner_of_each_practice_step(self) -> None:
        for step, status, text in [
            (Step.ANSWER, ReferralStatus.NEEDS_INFO, "No history of mania."),
            (Step.CLOSED, ReferralStatus.SCHEDULED, ""),
        ]:
            with self.subTest(step=step):
                mail.outbox.clear()
                referral = self.referral(status)

                self.step(self.therapist2, referral, step, text=text)

                assert self.sent_to() == PRESCRIBERS
                for message in mail.outbox:
                    assert (
                        f"http://127.0.0.1:8000/partner/referrals/{referral.pk}/" in message.body
                    )
                self.assert_no_phi()

    def test_it_tells_each_therapist_once(self) -> None:
        self.record.assigned_therapist = self.therapist
        self.record.save()

        self.step(self.prescriber, self.referral(), Step.SCHEDULED, evaluation_at=in_a_week())

        assert self.sent_to() == ["therapist@pathways.example"]

    def test_it_skips_people_who_cannot_sign_in_or_have_no_address(self) -> None:
        make_prescriber("prescriber-gone", self.partner, is_active=False)
        make_prescriber("prescriber-elsewhere", self.partner2)
        therapist = make_user("therapist-of-partner", Role.THERAPIST)
        membership_set(user=therapist, partner=self.partner)
        no_mail = make_prescriber("prescriber-no-mail", self.partner)
        no_mail.email = ""
        no_mail.save()
        self.therapist2.is_active = False
        self.therapist2.save()
        referral = self.referral()

        assert partner_recipients(self.partner) == PRESCRIBERS
        assert practice_recipients(referral) == ["therapist@pathways.example"]

    def test_it_leaves_out_a_partner_without_its_own_mailbox(self) -> None:
        self.partner.email = ""
        self.partner.save()

        assert partner_recipients(self.partner) == ["prescriber@pathways.example"]

    def test_it_sends_through_the_background_task_after_commit(self) -> None:
        referral = self.referral()

        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            referral_step(
                actor=Actor.for_user(self.prescriber),
                referral=referral,
                step=Step.SCHEDULED,
                evaluation_at=in_a_week(),
            )

        assert mail.outbox == []
        rows = OutboundEmail.objects.all()
        assert {row.status for row in rows} == {OutboundEmail.Status.PENDING}
        assert len(callbacks) == len(rows) == 2

        for callback in callbacks:
            callback()

        assert self.sent_to() == ["therapist2@pathways.example", "therapist@pathways.example"]
        assert {row.status for row in OutboundEmail.objects.all()} == {OutboundEmail.Status.SENT}

    def test_it_queues_nothing_for_a_refused_step(self) -> None:
        referral = self.referral(ReferralStatus.CLOSED)

        with self.captureOnCommitCallbacks(execute=True), self.assertRaises(ReferralError):
            referral_step(
                actor=Actor.for_user(self.prescriber),
                referral=referral,
                step=Step.SCHEDULED,
                evaluation_at=in_a_week(),
            )

        assert not OutboundEmail.objects.exists()
        assert mail.outbox == []

    @override_settings(SITE_URL="https://portal.example.org", PRACTICE_NAME="Riverbend Therapy")
    def test_it_links_to_the_configured_site(self) -> None:
        referral = self.referral(ReferralStatus.NEEDS_INFO)

        self.step(self.therapist2, referral, Step.ANSWER, text="Answer.")

        message = mail.outbox[0]
        assert message.subject == "An update on a referral: Riverbend Therapy"
        assert f"https://portal.example.org/partner/referrals/{referral.pk}/" in message.body
