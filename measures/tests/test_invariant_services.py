"""The measures services check their own rules: a caller that skips the forms (a
script, another app, a test) is refused and nothing is stored.

Sending a link (its reason, course and session), recording a response (who may
record it, and on which link), the client's draft (only answers the
questionnaire offers, only as the client) and a paper form (a day not in the
future, only by staff; a form that cannot be scored leaves the kept answers open).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.utils import timezone

from accounts.actor import Actor
from audit.models import AuditEvent
from clients.models import Client
from measures import paper, services
from measures.answering import services as link_services
from measures.models import Instrument, MeasureLink, Reason, Response, SafetyAlert, Source
from measures.scoring import ScoringError
from measures.tests.support import ON_LINK, PHQ9, SYSTEM, answers
from measures.tests.test_send import load_instruments
from pathways.testing import BaseTestCase, make_client, make_course, make_session


class ServiceInvariantTestCase(BaseTestCase):
    client_obj: Client
    phq9: Instrument

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.client_obj = make_client(assigned_therapist=cls.therapist)
        cls.phq9 = Instrument.objects.get(code="phq9")

    def staff(self) -> Actor:
        return Actor.for_user(self.intake)


class LinkSendTests(ServiceInvariantTestCase):
    def assert_nothing_sent(self) -> None:
        self.assertFalse(MeasureLink.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="measure.send").exists())
        self.assertEqual(mail.outbox, [])

    def send(self, **extra: Any) -> tuple[MeasureLink, str]:
        with self.captureOnCommitCallbacks(execute=True):
            return services.link_send(
                actor=self.staff(),
                client=self.client_obj,
                codes=["phq9"],
                **extra,
            )

    def test_it_refuses_a_reason_that_is_not_a_sending_reason(self) -> None:
        for reason in (Reason.PAPER, "whim"):
            with self.subTest(reason=reason), self.assertRaises(services.MeasureError):
                self.send(reason=reason)
        self.assert_nothing_sent()

    def test_it_refuses_another_clients_course(self) -> None:
        other = make_client(first_name="Other", assigned_therapist=self.therapist)
        course = make_course(other, self.therapist)

        with self.assertRaisesMessage(services.MeasureError, "not this client's"):
            self.send(reason=Reason.BASELINE, course=course)
        self.assert_nothing_sent()

    def test_it_refuses_a_session_outside_the_course(self) -> None:
        course = make_course(self.client_obj, self.therapist)
        elsewhere = make_session(make_course(self.client_obj, self.therapist))

        for given in ({"course": course}, {}):
            with self.subTest(course=bool(given)), self.assertRaises(services.MeasureError):
                self.send(reason=Reason.PRE_DOSING, session=elsewhere, **given)
        self.assert_nothing_sent()

    def test_it_refuses_no_or_unknown_questionnaires_beside_the_field(self) -> None:
        for codes in ([], ["phq9", "made-up"]):
            with self.subTest(codes=codes), self.assertRaises(services.MeasureError) as raised:
                services.link_send(actor=self.staff(), client=self.client_obj, codes=codes)
            self.assertEqual(raised.exception.field, "instruments")
        self.assert_nothing_sent()


class ResponseRecordTests(ServiceInvariantTestCase):
    def record(self, actor: Actor, **extra: Any) -> Response:
        return services.response_record(
            actor=actor,
            client=self.client_obj,
            instrument=self.phq9,
            answers=answers(PHQ9, q9=2),
            **extra,
        )

    def assert_nothing_recorded(self) -> None:
        self.assertFalse(Response.objects.exists())
        self.assertFalse(SafetyAlert.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="measure.record").exists())

    def test_it_refuses_to_credit_staff_with_a_clients_answers(self) -> None:
        for actor in (self.staff(), SYSTEM):
            with self.subTest(kind=actor.kind), self.assertRaises(services.MeasureError):
                self.record(actor, source=Source.LINK)
        self.assert_nothing_recorded()

    def test_it_needs_a_member_of_staff_for_a_paper_form(self) -> None:
        with self.assertRaises(PermissionError):
            self.record(ON_LINK, source=Source.PAPER)
        self.assert_nothing_recorded()

        response = self.record(self.staff(), source=Source.PAPER)
        self.assertEqual(response.entered_by, self.intake)

    def test_it_refuses_an_unknown_source(self) -> None:
        with self.assertRaises(services.MeasureError):
            self.record(self.staff(), source="fax")
        self.assert_nothing_recorded()

    def test_it_refuses_a_link_of_another_client_or_questionnaire(self) -> None:
        other = make_client(first_name="Other", assigned_therapist=self.therapist)
        theirs, _ = services.link_send(actor=SYSTEM, client=other, codes=["phq9"])
        gad7_only, _ = services.link_send(actor=SYSTEM, client=self.client_obj, codes=["gad7"])

        for link in (theirs, gad7_only):
            with self.subTest(link=link.pk), self.assertRaises(services.MeasureError):
                self.record(ON_LINK, link=link)
        self.assert_nothing_recorded()


class DraftTests(ServiceInvariantTestCase):
    def setUp(self) -> None:
        self.link, _ = services.link_send(actor=SYSTEM, client=self.client_obj, codes=["phq9"])

    def assert_draft_untouched(self) -> None:
        self.link.refresh_from_db()
        self.assertEqual(self.link.draft, {})
        self.assertFalse(SafetyAlert.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="measure.draft").exists())

    def test_it_refuses_an_answer_the_questionnaire_does_not_offer(self) -> None:
        for bad in ({"9": 7}, {"9": -1}, {"9": True}, {"10": 1}, {"mood": 1}, {"difficulty": 9}):
            with self.subTest(answers=bad), self.assertRaises(services.MeasureError):
                link_services.link_save_draft(actor=ON_LINK, link=self.link, draft={"phq9": bad})
        self.assert_draft_untouched()

    def test_it_refuses_staff_as_the_one_answering(self) -> None:
        with self.assertRaises(services.MeasureError):
            link_services.link_save_draft(
                actor=self.staff(), link=self.link, draft={"phq9": {"9": 3}}
            )
        with self.assertRaises(services.MeasureError):
            link_services.link_submit(
                actor=self.staff(),
                link=self.link,
                answers={"phq9": {str(k): v for k, v in answers(PHQ9).items()}},
            )
        with self.assertRaises(services.MeasureError):
            link_services.link_open_log(actor=self.staff(), link=self.link)

        self.assert_draft_untouched()
        self.assertFalse(Response.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="measure.open").exists())

    def test_it_names_a_staff_session_on_the_device_without_crediting_it(self) -> None:
        link_services.link_save_draft(
            actor=Actor.client_on_link("203.0.113.9"),
            link=self.link,
            draft={"phq9": {"9": 1}},
            staff_on_device=self.therapist,
        )

        event = AuditEvent.objects.get(action="measure.draft")
        self.assertIsNone(event.actor)
        self.assertEqual(event.ip, "203.0.113.9")
        self.assertEqual(event.detail["staff_session"], self.therapist.pk)


class PaperTests(ServiceInvariantTestCase):
    def test_it_refuses_a_day_in_the_future_beside_the_field(self) -> None:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)

        with self.assertRaises(services.MeasureError) as raised:
            paper.paper_record(
                actor=self.staff(),
                client=self.client_obj,
                instrument=self.phq9,
                answers={str(k): v for k, v in answers(PHQ9, q9=2).items()},
                answered_on=tomorrow,
            )

        self.assertEqual(raised.exception.field, "answered_on")
        self.assertFalse(Response.objects.exists())
        self.assertFalse(SafetyAlert.objects.exists())

    def test_it_needs_a_member_of_staff(self) -> None:
        typed = {str(k): v for k, v in answers(PHQ9, q9=2).items()}
        for actor in (ON_LINK, SYSTEM):
            with self.subTest(kind=actor.kind):
                with self.assertRaises(PermissionError):
                    paper.paper_record(
                        actor=actor,
                        client=self.client_obj,
                        instrument=self.phq9,
                        answers=typed,
                        answered_on=timezone.localdate(),
                    )
                with self.assertRaises(PermissionError):
                    paper.paper_partial_save(
                        actor=actor, client=self.client_obj, instrument=self.phq9, answers=typed
                    )
        self.assertFalse(Response.objects.exists())
        self.assertFalse(MeasureLink.objects.exists())
        self.assertFalse(SafetyAlert.objects.exists())

    def test_it_refuses_an_answer_the_form_does_not_offer(self) -> None:
        with self.assertRaises(services.MeasureError):
            paper.paper_partial_save(
                actor=self.staff(),
                client=self.client_obj,
                instrument=self.phq9,
                answers={"9": 3, "1": 5},
            )

        self.assertFalse(MeasureLink.objects.exists())
        self.assertFalse(SafetyAlert.objects.exists())

    def test_it_keeps_the_kept_answers_open_when_the_form_cannot_be_scored(self) -> None:
        paper.paper_partial_save(
            actor=self.staff(), client=self.client_obj, instrument=self.phq9, answers={"9": 3}
        )
        (draft,) = MeasureLink.objects.all()

        with self.assertRaises(ScoringError):
            paper.paper_record(
                actor=self.staff(),
                client=self.client_obj,
                instrument=self.phq9,
                answers={"9": 3},  # the other eight items still blank
                answered_on=timezone.localdate(),
            )

        draft.refresh_from_db()
        self.assertIsNone(draft.used_at)
        self.assertEqual(paper.paper_draft_for(self.client_obj, self.phq9), draft)
        self.assertFalse(Response.objects.exists())
