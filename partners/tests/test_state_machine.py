"""The referral state machine: every allowed step, every refused one, and who may take each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.messages import get_messages
from django.core import mail
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import User
from audit.models import AuditEvent
from notifications.models import OutboundEmail
from partners.models import (
    PRACTICE_STEPS,
    PRESCRIBER_STEPS,
    STEPS,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Step,
)
from partners.services import ReferralError, referral_step
from partners.tests.helpers import in_a_week, local_input
from pathways.testing import BaseTestCase, make_client, make_referral

ALL_STEPS = [value for value, _ in Step.choices]
ALL_STATUSES = [value for value, _ in ReferralStatus.choices]


def step_data(step: str) -> dict[str, Any]:
    """What each step needs: a date to schedule, text for a reason, question or answer."""
    if step == Step.SCHEDULED:
        return {"evaluation_at": in_a_week()}
    if step in (Step.NOT_ELIGIBLE, Step.NEEDS_INFO, Step.ANSWER):
        return {"text": f"Text for {step}."}
    return {}


class StateMachineTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(assigned_therapist=self.therapist)

    def referral(self, status: str) -> Referral:
        return make_referral(self.record, self.partner, self.therapist, status=status)

    def actors(self, step: str) -> list[User]:
        """Who takes the step: the partner's prescriber, the practice, or (closing) either."""
        if step in PRESCRIBER_STEPS:
            return [self.prescriber]
        if step in PRACTICE_STEPS:
            return [self.therapist]
        return [self.prescriber, self.therapist]

    def test_it_follows_the_documented_lifecycle(self) -> None:
        # A guard on the table itself, so that a change to it is a deliberate one.
        assert {step: (set(sources), target) for step, (sources, target) in STEPS.items()} == {
            "scheduled": ({"sent", "scheduled", "info_provided"}, "scheduled"),
            "eligible": ({"scheduled", "info_provided"}, "eligible"),
            "not_eligible": ({"scheduled", "info_provided"}, "not_eligible"),
            "needs_info": ({"scheduled", "info_provided"}, "needs_info"),
            "answer": ({"needs_info"}, "info_provided"),
            "closed": (
                {"sent", "scheduled", "needs_info", "info_provided", "eligible", "not_eligible"},
                "closed",
            ),
        }
        assert set(PRESCRIBER_STEPS) == {"scheduled", "eligible", "not_eligible", "needs_info"}
        assert set(PRACTICE_STEPS) == {"answer"}

    def test_it_takes_every_allowed_step(self) -> None:
        for step, (sources, target) in STEPS.items():
            for status in sources:
                for actor in self.actors(step):
                    with self.subTest(step=step, status=status, actor=actor.username):
                        referral = self.referral(status)
                        before = timezone.now()

                        event = referral_step(
                            actor=Actor.for_user(actor),
                            referral=referral,
                            step=step,
                            **step_data(step),
                        )

                        referral.refresh_from_db()
                        assert referral.status == target
                        assert event.referral_id == referral.pk
                        assert (event.step, event.by) == (step, actor)
                        assert event.text == step_data(step).get("text", "")
                        assert before <= event.at <= timezone.now()
                        audit = AuditEvent.objects.get(
                            action="referral.step", object_id=referral.pk
                        )
                        assert audit.actor == actor
                        assert audit.client_id == self.record.pk
                        assert audit.detail == {
                            "step": step,
                            "from": status,
                            "to": target,
                            "event": event.pk,
                        }

    def test_it_refuses_every_other_step(self) -> None:
        refused = 0
        for step in ALL_STEPS:
            sources = STEPS[step][0] if step in STEPS else ()
            for status in set(ALL_STATUSES) - set(sources):
                for actor in self.actors(step):
                    with self.subTest(step=step, status=status, actor=actor.username):
                        referral = self.referral(status)

                        with self.assertRaises(ReferralError):
                            referral_step(
                                actor=Actor.for_user(actor),
                                referral=referral,
                                step=step,
                                **step_data(step),
                            )

                        referral.refresh_from_db()
                        assert referral.status == status
                        assert not ReferralEvent.objects.filter(referral=referral).exists()
                        refused += 1
        # 7 steps × 7 statuses less the 16 allowed pairs leaves 33 refused pairs; the
        # 8 of them for closing and for "sent" (never a step) are tried by both sides.
        assert refused == 33 + 8
        assert not AuditEvent.objects.filter(action="referral.step").exists()
        assert not OutboundEmail.objects.exists()

    def test_it_explains_a_refused_step(self) -> None:
        referral = self.referral(ReferralStatus.CLOSED)

        with self.assertRaisesMessage(
            ReferralError, "This referral is “Closed”: “Evaluation scheduled” is not possible now."
        ):
            referral_step(
                actor=Actor.for_user(self.prescriber),
                referral=referral,
                step=Step.SCHEDULED,
                **step_data("scheduled"),
            )

    def test_it_checks_the_status_in_the_database_not_a_stale_copy(self) -> None:
        referral = self.referral(ReferralStatus.SCHEDULED)
        stale = Referral.objects.get(pk=referral.pk)
        referral_step(actor=Actor.for_user(self.therapist), referral=referral, step=Step.CLOSED)

        with self.assertRaises(ReferralError):
            referral_step(
                actor=Actor.for_user(self.prescriber), referral=stale, step=Step.ELIGIBLE
            )

        assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.CLOSED

    def test_it_updates_the_copy_it_was_given(self) -> None:
        referral = self.referral(ReferralStatus.SENT)
        when = in_a_week()

        referral_step(
            actor=Actor.for_user(self.prescriber),
            referral=referral,
            step=Step.SCHEDULED,
            evaluation_at=when,
        )

        assert (referral.status, referral.evaluation_at) == (ReferralStatus.SCHEDULED, when)

    # --- Which side takes which step ----------------------------------------

    def test_it_lets_only_the_partner_take_the_prescriber_steps(self) -> None:
        for step in PRESCRIBER_STEPS:
            for actor in (self.therapist, self.admin, self.intake, self.prescriber2):
                with self.subTest(step=step, actor=actor.username):
                    referral = self.referral(ReferralStatus.SCHEDULED)

                    with self.assertRaisesMessage(
                        ReferralError, "Only a prescriber of Blue Ridge Psychiatry"
                    ):
                        referral_step(
                            actor=Actor.for_user(actor),
                            referral=referral,
                            step=step,
                            **step_data(step),
                        )

                    referral.refresh_from_db()
                    assert referral.status == ReferralStatus.SCHEDULED

    def test_it_lets_only_the_practice_answer(self) -> None:
        for actor in (self.prescriber, self.prescriber2, self.intake, self.therapist2):
            with self.subTest(actor=actor.username):
                referral = self.referral(ReferralStatus.NEEDS_INFO)

                with self.assertRaises(ReferralError):
                    referral_step(
                        actor=Actor.for_user(actor),
                        referral=referral,
                        step=Step.ANSWER,
                        text="An answer.",
                    )

                referral.refresh_from_db()
                assert referral.status == ReferralStatus.NEEDS_INFO

    def test_it_lets_the_admin_answer(self) -> None:
        referral = self.referral(ReferralStatus.NEEDS_INFO)

        referral_step(
            actor=Actor.for_user(self.admin),
            referral=referral,
            step=Step.ANSWER,
            text="From the admin.",
        )

        assert referral.status == ReferralStatus.INFO_PROVIDED

    def test_it_refuses_a_close_by_anyone_else(self) -> None:
        for actor in (self.prescriber2, self.intake, self.therapist2):
            with self.subTest(actor=actor.username):
                referral = self.referral(ReferralStatus.SENT)

                with self.assertRaises(ReferralError):
                    referral_step(actor=Actor.for_user(actor), referral=referral, step=Step.CLOSED)

                referral.refresh_from_db()
                assert referral.status == ReferralStatus.SENT

    def test_it_refuses_an_inactive_prescriber(self) -> None:
        self.prescriber.is_active = False
        self.prescriber.save()
        referral = self.referral(ReferralStatus.SENT)

        with self.assertRaises(ReferralError):
            referral_step(
                actor=Actor.for_user(self.prescriber),
                referral=referral,
                step=Step.SCHEDULED,
                **step_data("scheduled"),
            )

    # --- What each step needs -----------------------------------------------

    def test_it_needs_a_date_to_schedule(self) -> None:
        referral = self.referral(ReferralStatus.SENT)

        with self.assertRaisesMessage(ReferralError, "Enter the date and time of the evaluation."):
            referral_step(
                actor=Actor.for_user(self.prescriber), referral=referral, step=Step.SCHEDULED
            )
        naive = dt.datetime(2030, 1, 15, 10, 0)  # noqa: DTZ001 (the point of the test)
        with self.assertRaises(ReferralError):
            referral_step(
                actor=Actor.for_user(self.prescriber),
                referral=referral,
                step=Step.SCHEDULED,
                evaluation_at=naive,
            )

        assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT

    def test_it_needs_text_for_a_reason_a_question_and_an_answer(self) -> None:
        cases = [
            (Step.NOT_ELIGIBLE, ReferralStatus.SCHEDULED, self.prescriber, "Give the reason"),
            (Step.NEEDS_INFO, ReferralStatus.SCHEDULED, self.prescriber, "Write the question"),
            (Step.ANSWER, ReferralStatus.NEEDS_INFO, self.therapist, "Write your answer"),
        ]
        for step, status, actor, message in cases:
            with self.subTest(step=step):
                referral = self.referral(status)

                with self.assertRaisesMessage(ReferralError, message):
                    referral_step(
                        actor=Actor.for_user(actor), referral=referral, step=step, text="   "
                    )

                assert Referral.objects.get(pk=referral.pk).status == status

    def test_it_stores_the_date_of_the_evaluation_and_a_reschedule(self) -> None:
        referral = self.referral(ReferralStatus.SENT)
        first, second = in_a_week(), in_a_week() + dt.timedelta(days=3)

        referral_step(
            actor=Actor.for_user(self.prescriber),
            referral=referral,
            step=Step.SCHEDULED,
            evaluation_at=first,
        )
        referral_step(
            actor=Actor.for_user(self.prescriber),
            referral=referral,
            step=Step.SCHEDULED,
            evaluation_at=second,
        )

        referral.refresh_from_db()
        assert referral.evaluation_at == second
        events = list(referral.events.values_list("step", "evaluation_at"))
        assert events == [("scheduled", first), ("scheduled", second)]

    def test_it_stores_the_reason_a_client_is_not_eligible(self) -> None:
        referral = self.referral(ReferralStatus.SCHEDULED)

        event = referral_step(
            actor=Actor.for_user(self.prescriber),
            referral=referral,
            step=Step.NOT_ELIGIBLE,
            text="  Blood pressure above the protocol limit.  ",
        )

        referral.refresh_from_db()
        assert referral.not_eligible_reason == "Blood pressure above the protocol limit."
        assert event.text == "Blood pressure above the protocol limit."

    def test_it_refuses_an_unknown_step(self) -> None:
        referral = self.referral(ReferralStatus.SENT)

        for step in ("sent", "archived", ""):
            with self.subTest(step=step), self.assertRaises(ReferralError):
                referral_step(actor=Actor.for_user(self.prescriber), referral=referral, step=step)


class StateMachineViewsTestCase(BaseTestCase):
    """A few of the steps again, through the pages that take them."""

    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(assigned_therapist=self.therapist)

    def referral(self, status: str) -> Referral:
        return make_referral(self.record, self.partner, self.therapist, status=status)

    def message(self, response: Any) -> str:
        return str(list(get_messages(response.wsgi_request))[-1])

    def test_it_schedules_from_the_portal(self) -> None:
        referral = self.referral(ReferralStatus.SENT)
        self.client.force_login(self.prescriber)

        response = self.client.post(
            f"/partner/referrals/{referral.pk}/schedule/",
            {"schedule-evaluation_at": local_input(in_a_week())},
        )

        self.assertRedirects(
            response, f"/partner/referrals/{referral.pk}/", fetch_redirect_response=False
        )
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.SCHEDULED

    def test_it_records_each_result_from_the_portal(self) -> None:
        self.client.force_login(self.prescriber)
        for result, target in [
            ("eligible", ReferralStatus.ELIGIBLE),
            ("not_eligible", ReferralStatus.NOT_ELIGIBLE),
            ("needs_info", ReferralStatus.NEEDS_INFO),
        ]:
            with self.subTest(result=result):
                referral = self.referral(ReferralStatus.SCHEDULED)

                response = self.client.post(
                    f"/partner/referrals/{referral.pk}/evaluate/",
                    {
                        "evaluate-result": result,
                        "evaluate-reason": "A reason.",
                        "evaluate-question": "A question?",
                    },
                )

                assert response.status_code == 302
                referral.refresh_from_db()
                assert referral.status == target
                text = referral.events.get(step=result).text
                expected = {
                    "eligible": "",
                    "not_eligible": "A reason.",
                    "needs_info": "A question?",
                }
                assert text == expected[result]

    def test_it_refuses_an_evaluation_before_one_is_scheduled(self) -> None:
        referral = self.referral(ReferralStatus.SENT)
        self.client.force_login(self.prescriber)

        response = self.client.post(
            f"/partner/referrals/{referral.pk}/evaluate/", {"evaluate-result": "eligible"}
        )

        assert response.status_code == 302
        assert self.message(response) == (
            "This referral is “Sent”: “Evaluated: eligible” is not possible now."
        )
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.SENT
        assert not referral.events.exists()

    def test_it_answers_and_closes_from_the_practice(self) -> None:
        referral = self.referral(ReferralStatus.NEEDS_INFO)
        self.client.force_login(self.therapist)

        self.client.post(f"/staff/referrals/{referral.pk}/answer/", {"answer-text": "Yes."})
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.INFO_PROVIDED

        self.client.post(f"/staff/referrals/{referral.pk}/close/", {"close-text": ""})
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.CLOSED

    def test_it_closes_from_the_portal(self) -> None:
        referral = self.referral(ReferralStatus.ELIGIBLE)
        self.client.force_login(self.prescriber)

        self.client.post(
            f"/partner/referrals/{referral.pk}/close/", {"close-text": "Course complete."}
        )

        referral.refresh_from_db()
        assert referral.status == ReferralStatus.CLOSED
        assert referral.events.get().text == "Course complete."

    def test_it_refuses_any_step_on_a_closed_referral(self) -> None:
        referral = self.referral(ReferralStatus.CLOSED)
        self.client.force_login(self.prescriber)
        posts = {
            "schedule": {"schedule-evaluation_at": local_input(in_a_week())},
            "evaluate": {"evaluate-result": "eligible"},
            "close": {},
        }
        for action, data in posts.items():
            with self.subTest(action=action):
                response = self.client.post(f"/partner/referrals/{referral.pk}/{action}/", data)

                assert response.status_code == 302
                assert "is not possible now" in self.message(response)
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.CLOSED
        assert not referral.events.exists()
        assert mail.outbox == []

    def test_it_does_not_let_the_therapist_schedule(self) -> None:
        referral = self.referral(ReferralStatus.SENT)
        self.client.force_login(self.therapist)

        response = self.client.post(
            f"/partner/referrals/{referral.pk}/schedule/",
            {"schedule-evaluation_at": local_input(in_a_week())},
        )

        assert response.status_code == 403
        assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT

    def test_it_does_not_let_the_prescriber_answer(self) -> None:
        referral = self.referral(ReferralStatus.NEEDS_INFO)
        self.client.force_login(self.prescriber)

        response = self.client.post(
            f"/staff/referrals/{referral.pk}/answer/", {"answer-text": "Sneaky."}
        )

        assert response.status_code == 403
        assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.NEEDS_INFO

    def test_it_does_not_let_another_partner_touch_the_referral(self) -> None:
        referral = self.referral(ReferralStatus.SCHEDULED)
        self.client.force_login(self.prescriber2)

        for action, data in {
            "schedule": {"schedule-evaluation_at": local_input(in_a_week())},
            "evaluate": {"evaluate-result": "eligible"},
            "close": {},
        }.items():
            with self.subTest(action=action):
                response = self.client.post(f"/partner/referrals/{referral.pk}/{action}/", data)

                assert response.status_code == 404
        assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SCHEDULED
        assert not ReferralEvent.objects.exists()
