"""The practice's referral page: the snapshot, the pre-screen, the thread, and closing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.messages import get_messages
from django.core import mail

from accounts.models import User
from audit.models import AuditEvent
from partners.models import Referral, ReferralEvent, ReferralStatus, Step
from pathways.testing import BaseTestCase, make_client, make_referral

UTC = dt.UTC


class ReferralDetailTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Ottilie", last_name="Brennan-Vasquez", assigned_therapist=self.therapist
        )
        self.referral = make_referral(
            self.record,
            self.partner,
            self.therapist,
            reason="Treatment-resistant depression.",
            allergies=["Penicillin (Hives)"],
            prescreen={"hypertension": "yes", "liver": "unknown", "pregnancy": "no"},
            prescreen_notes="Home BP readings attached to the chart.",
            measure_scores=[{"instrument": "PHQ-9", "score": 19, "date": "2026-11-01"}],
        )
        self.url = f"/staff/referrals/{self.referral.pk}/"

    def event(self, step: str, by: User, at: dt.datetime, **extra: Any) -> ReferralEvent:
        event = ReferralEvent.objects.create(referral=self.referral, step=step, by=by, **extra)
        ReferralEvent.objects.filter(pk=event.pk).update(at=at)
        return event

    def test_it_shows_the_snapshot(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        assert response.status_code == 200
        for text in (
            "Ottilie Brennan-Vasquez",
            "Blue Ridge Psychiatry",
            "Treatment-resistant depression.",
            "F33.1 Major depressive disorder, recurrent",
            "Sertraline 100 mg daily",
            "Penicillin (Hives)",
            "PHQ-9: 19 (2026-11-01)",
            "Home BP readings attached to the chart.",
            "Not scheduled yet",
        ):
            self.assertContains(response, text)

    def test_it_shows_the_pre_screen_as_information_only(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        self.assertContains(
            response, "The pre-screen informs the prescriber; it does not decide eligibility."
        )
        self.assertContains(
            response,
            "<p><strong>For the prescriber's attention:</strong> Uncontrolled hypertension.</p>",
            html=True,
        )
        self.assertContains(
            response,
            '<tr class="flagged"><td>Uncontrolled hypertension</td>'
            "<td><strong>Yes</strong>: for the prescriber's attention</td></tr>",
            html=True,
        )
        self.assertContains(
            response, "<tr><td>Liver disease</td><td>Unknown / not assessed</td></tr>", html=True
        )
        # An item the practice did not answer says so.
        self.assertContains(
            response, "<tr><td>Ketamine allergy</td><td>Not answered</td></tr>", html=True
        )
        self.assertNotContains(response, "eligible for", msg_prefix="no conclusion is drawn")

    def test_it_shows_the_thread_oldest_first_in_practice_time(self) -> None:
        self.event(Step.SENT, self.therapist, dt.datetime(2026, 7, 1, 14, 5, tzinfo=UTC))
        self.event(
            Step.SCHEDULED,
            self.prescriber,
            dt.datetime(2026, 7, 2, 15, 0, tzinfo=UTC),
            evaluation_at=dt.datetime(2026, 7, 9, 13, 30, tzinfo=UTC),
        )
        self.event(
            Step.NEEDS_INFO,
            self.prescriber,
            dt.datetime(2026, 7, 9, 16, 0, tzinfo=UTC),
            text="Any history of mania?",
        )
        Referral.objects.filter(pk=self.referral.pk).update(
            status=ReferralStatus.NEEDS_INFO,
            evaluation_at=dt.datetime(2026, 7, 9, 13, 30, tzinfo=UTC),
        )
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        html = response.content.decode()
        # New York is UTC-4 in July.
        sent = html.index("2026-07-01 10:05 EDT")
        scheduled = html.index("2026-07-02 11:00 EDT")
        question = html.index("2026-07-09 12:00 EDT")
        assert sent < scheduled < question
        self.assertContains(response, "Evaluation on <time", count=1)
        self.assertContains(response, "2026-07-09 09:30 EDT", count=2)  # the event and the facts
        self.assertContains(response, "Any history of mania?")
        self.assertContains(response, "Theo, Pathways Family Counseling Services")
        self.assertContains(response, "prescriber, Blue Ridge Psychiatry")
        self.assertContains(response, "Needs more information")

    def test_it_offers_the_answer_form_only_when_a_question_is_open(self) -> None:
        self.client.force_login(self.therapist)

        self.assertNotContains(self.client.get(self.url), 'name="answer-text"')

        Referral.objects.filter(pk=self.referral.pk).update(status=ReferralStatus.NEEDS_INFO)
        response = self.client.get(self.url)

        self.assertContains(response, 'name="answer-text"')
        self.assertContains(response, f'action="/staff/referrals/{self.referral.pk}/answer/"')

    def test_it_shows_intake_the_referral_without_the_forms(self) -> None:
        Referral.objects.filter(pk=self.referral.pk).update(status=ReferralStatus.NEEDS_INFO)
        self.client.force_login(self.intake)

        response = self.client.get(self.url)

        assert response.status_code == 200
        self.assertNotContains(response, 'name="answer-text"')
        self.assertNotContains(response, 'name="close-text"')

    def test_it_shows_the_reason_a_client_is_not_eligible(self) -> None:
        Referral.objects.filter(pk=self.referral.pk).update(
            status=ReferralStatus.NOT_ELIGIBLE, not_eligible_reason="BP above the limit."
        )
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        self.assertContains(response, "Evaluated: not eligible")
        self.assertContains(response, "BP above the limit.")

    def test_it_writes_an_audit_entry(self) -> None:
        self.client.force_login(self.intake)

        self.client.get(self.url)

        audit = AuditEvent.objects.get(action="referral.view")
        assert audit.actor == self.intake
        assert audit.object_id == str(self.referral.pk)
        assert audit.client_id == self.record.pk
        assert audit.detail == {}

    def test_it_hides_another_therapists_referral(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.client.get(self.url)

        assert response.status_code == 404
        self.assertNotContains(response, "Ottilie", status_code=404)
        assert not AuditEvent.objects.filter(action="referral.view").exists()

    def test_it_refuses_a_prescriber(self) -> None:
        self.client.force_login(self.prescriber)

        assert self.client.get(self.url).status_code == 403


class ReferralCloseTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(assigned_therapist=self.therapist)
        self.referral = make_referral(self.record, self.partner, self.therapist)
        self.url = f"/staff/referrals/{self.referral.pk}/close/"

    def test_it_closes_with_an_optional_reason(self) -> None:
        self.client.force_login(self.therapist)

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, {"close-text": "Client chose another route."})

        self.assertRedirects(
            response, f"/staff/referrals/{self.referral.pk}/", fetch_redirect_response=False
        )
        self.referral.refresh_from_db()
        assert self.referral.status == ReferralStatus.CLOSED
        event = self.referral.events.get()
        assert (event.step, event.by, event.text) == (
            Step.CLOSED,
            self.therapist,
            "Client chose another route.",
        )
        assert sorted(m.to[0] for m in mail.outbox) == [
            "office@partner.example",
            "prescriber@pathways.example",
        ]
        assert str(list(get_messages(response.wsgi_request))[-1]) == "Referral closed."

    def test_it_keeps_a_too_long_reason_and_says_so(self) -> None:
        self.client.force_login(self.therapist)
        long_text = "Because " * 600

        response = self.client.post(self.url, {"close-text": long_text})

        assert response.status_code == 200
        self.assertContains(response, 'id="id_close-text_error"')
        self.assertContains(response, long_text.strip())
        assert Referral.objects.get(pk=self.referral.pk).status == ReferralStatus.SENT

    def test_it_does_not_offer_to_close_a_closed_referral(self) -> None:
        Referral.objects.filter(pk=self.referral.pk).update(status=ReferralStatus.CLOSED)
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/referrals/{self.referral.pk}/")

        self.assertNotContains(response, 'name="close-text"')

    def test_it_refuses_intake_and_another_therapist(self) -> None:
        self.client.force_login(self.intake)
        assert self.client.post(self.url).status_code == 403
        self.client.force_login(self.therapist2)
        assert self.client.post(self.url).status_code == 404
        assert Referral.objects.get(pk=self.referral.pk).status == ReferralStatus.SENT
