"""The therapist answers the prescriber's question in the referral's thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.messages import get_messages
from django.core import mail

from audit.models import AuditEvent
from partners.models import Referral, ReferralEvent, ReferralStatus, Step
from pathways.testing import BaseTestCase, make_client, make_referral

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

ANSWER = "No history of mania; a hypomanic episode was ruled out in 2024."


class AnswerTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(first_name="Ottilie", assigned_therapist=self.therapist)
        self.referral = make_referral(
            self.record, self.partner, self.therapist, status=ReferralStatus.NEEDS_INFO
        )
        ReferralEvent.objects.create(
            referral=self.referral, step=Step.NEEDS_INFO, by=self.prescriber, text="Mania?"
        )
        self.url = f"/staff/referrals/{self.referral.pk}/answer/"

    def answer(self, text: str = ANSWER) -> TestResponse:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, {"answer-text": text})

    def test_it_answers_in_the_thread(self) -> None:
        self.client.force_login(self.therapist)

        response = self.answer()

        self.assertRedirects(
            response, f"/staff/referrals/{self.referral.pk}/", fetch_redirect_response=False
        )
        self.referral.refresh_from_db()
        assert self.referral.status == ReferralStatus.INFO_PROVIDED
        question, answer = self.referral.events.all()
        assert (question.step, answer.step) == (Step.NEEDS_INFO, Step.ANSWER)
        assert (answer.by, answer.text) == (self.therapist, ANSWER)
        assert str(list(get_messages(response.wsgi_request))[-1]) == (
            "Answer sent to the prescriber."
        )

    def test_it_shows_the_answer_on_both_sides(self) -> None:
        self.client.force_login(self.therapist)
        self.answer()

        self.assertContains(self.client.get(f"/staff/referrals/{self.referral.pk}/"), ANSWER)
        self.client.force_login(self.prescriber)
        self.assertContains(self.client.get(f"/partner/referrals/{self.referral.pk}/"), ANSWER)

    def test_it_tells_the_prescribers(self) -> None:
        self.client.force_login(self.therapist)

        self.answer()

        assert sorted(m.to[0] for m in mail.outbox) == [
            "office@partner.example",
            "prescriber@pathways.example",
        ]
        for message in mail.outbox:
            assert "mania" not in message.body.lower()
            assert "Ottilie" not in message.body
            assert f"/partner/referrals/{self.referral.pk}/" in message.body

    def test_it_writes_an_audit_entry(self) -> None:
        self.client.force_login(self.therapist)

        self.answer()

        audit = AuditEvent.objects.get(action="referral.step")
        assert audit.actor == self.therapist
        assert audit.client_id == self.record.pk
        assert audit.detail["step"] == "answer"
        assert (audit.detail["from"], audit.detail["to"]) == ("needs_info", "info_provided")
        assert ANSWER not in str(audit.detail)

    def test_it_says_beside_the_field_that_an_answer_is_needed(self) -> None:
        self.client.force_login(self.therapist)

        response = self.answer("   ")

        assert response.status_code == 200
        self.assertContains(
            response,
            '<p class="error" id="id_answer-text_error">Write your answer.</p>',
            html=True,
        )
        self.assertContains(response, 'aria-invalid="true"')
        assert Referral.objects.get(pk=self.referral.pk).status == ReferralStatus.NEEDS_INFO
        assert mail.outbox == []

    def test_it_keeps_a_too_long_answer(self) -> None:
        self.client.force_login(self.therapist)
        long_answer = "Detail. " * 600

        response = self.answer(long_answer)

        assert response.status_code == 200
        self.assertContains(response, 'id="id_answer-text_error"')
        self.assertContains(response, long_answer.strip())
        assert self.referral.events.count() == 1

    def test_it_refuses_an_answer_when_no_question_is_open(self) -> None:
        Referral.objects.filter(pk=self.referral.pk).update(status=ReferralStatus.INFO_PROVIDED)
        self.client.force_login(self.therapist)

        response = self.answer()

        assert response.status_code == 302
        message = str(list(get_messages(response.wsgi_request))[-1])
        assert message == (
            "This referral is “Information provided”: "
            "“Answer from the therapist” is not possible now."
        )
        assert self.referral.events.count() == 1

    def test_it_lets_the_admin_answer(self) -> None:
        self.client.force_login(self.admin)

        self.answer()

        assert Referral.objects.get(pk=self.referral.pk).status == ReferralStatus.INFO_PROVIDED

    def test_it_refuses_intake_a_prescriber_and_another_therapist(self) -> None:
        for user, status in ((self.intake, 403), (self.prescriber, 403), (self.therapist2, 404)):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                response = self.answer()

                assert response.status_code == status
                self.assertNotContains(response, "Ottilie", status_code=status)
        assert Referral.objects.get(pk=self.referral.pk).status == ReferralStatus.NEEDS_INFO
        assert mail.outbox == []
