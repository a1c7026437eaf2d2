"""Issue 8 §5: a suicide-risk answer raises its alert the moment it is saved.

PHQ-9 item 9 above 0 in a draft, in "save for later", in a submit refused as
incomplete, beside an unfinished PCL-5, and in a paper entry. One alert per
answer: saving again or submitting raises and e-mails nothing new.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from clients.models import Client
from measures import services
from measures.alerts import safety
from measures.alerts.safety import ATTACH_ACTION, RAISE_ACTION
from measures.answering import services as link_services
from measures.models import MeasureLink, Response, SafetyAlert, Source
from measures.tests.support import GAD7, ON_LINK, PCL5, PHQ9, SYSTEM, answers
from measures.tests.test_answer import post_data
from measures.tests.test_send import load_instruments
from notifications.models import OutboundEmail
from pathways.testing import BaseTestCase, make_client

CRISIS = 'id="crisis-resources"'


def _main(response: Any) -> str:
    return str(response.content.decode().split("<main", 1)[1])


class DraftAlertTestCase(BaseTestCase):
    client_obj: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.client_obj = make_client(
            first_name="Marisol", last_name="Vantongeren", assigned_therapist=cls.therapist
        )

    def setUp(self) -> None:
        self.link, self.token = services.link_send(
            actor=SYSTEM, client=self.client_obj, codes=["phq9", "gad7"]
        )
        self.url = reverse("measure_answer:answer", args=[self.token])
        OutboundEmail.objects.all().delete()  # the client's link

    def assert_one_alert_emailed(self, value: int = 3) -> SafetyAlert:
        alert = SafetyAlert.objects.get()
        self.assertEqual((alert.item, alert.value), (9, value))
        self.assertEqual(alert.client, self.client_obj)
        self.assertEqual(alert.instrument.code, "phq9")
        self.assertTrue(alert.is_open)
        self.assertEqual(
            list(OutboundEmail.objects.values_list("to", flat=True)), [self.therapist.email]
        )
        return alert


class DraftServiceTests(DraftAlertTestCase):
    def test_it_raises_an_alert_when_a_draft_is_saved(self) -> None:
        _, alerts = link_services.link_save_draft(
            actor=ON_LINK, link=self.link, draft={"phq9": {"9": 3}}
        )

        alert = self.assert_one_alert_emailed()
        self.assertEqual(alerts, [alert])
        self.assertIsNone(alert.response)
        self.assertEqual(alert.link, self.link)
        event = AuditEvent.objects.get(action=RAISE_ACTION)
        self.assertIsNone(event.actor)  # raised by the client's answer
        self.assertEqual(
            event.detail,
            {
                "link": self.link.pk,
                "instrument": "phq9",
                "item": 9,
                "notified": [self.therapist.pk],
            },
        )

    def test_it_stores_the_draft_before_it_raises(self) -> None:
        with (
            mock.patch.object(safety, "alert_raise_for_draft", side_effect=RuntimeError("down")),
            self.assertRaises(RuntimeError),
        ):
            link_services.link_save_draft(
                actor=ON_LINK, link=self.link, draft={"phq9": {"1": 2, "9": 3}}
            )

        self.link.refresh_from_db()
        self.assertEqual(self.link.draft, {"phq9": {"1": 2, "9": 3}})

    def test_it_raises_nothing_for_item_9_answered_0(self) -> None:
        _, alerts = link_services.link_save_draft(
            actor=ON_LINK, link=self.link, draft={"phq9": {"9": 0}}
        )

        self.assertEqual(alerts, [])
        self.assertFalse(SafetyAlert.objects.exists())
        self.assertFalse(OutboundEmail.objects.exists())

    def test_it_raises_no_second_alert_or_email_when_the_same_draft_is_saved_again(self) -> None:
        first = link_services.link_save_draft(
            actor=ON_LINK, link=self.link, draft={"phq9": {"9": 3}}
        )[1]
        again = link_services.link_save_draft(
            actor=ON_LINK, link=self.link, draft={"phq9": {"9": 3, "1": 1}}
        )[1]

        self.assertEqual(first, again)
        self.assert_one_alert_emailed()
        self.assertEqual(AuditEvent.objects.filter(action=RAISE_ACTION).count(), 1)

    def test_it_takes_the_higher_answer_without_a_second_email(self) -> None:
        link_services.link_save_draft(actor=ON_LINK, link=self.link, draft={"phq9": {"9": 1}})
        link_services.link_save_draft(actor=ON_LINK, link=self.link, draft={"phq9": {"9": 3}})

        self.assert_one_alert_emailed(value=3)

    def test_it_hands_the_draft_alert_to_the_response_on_the_final_submit(self) -> None:
        link_services.link_save_draft(actor=ON_LINK, link=self.link, draft={"phq9": {"9": 3}})
        (draft_alert,) = SafetyAlert.objects.all()

        responses, alerts = link_services.link_submit(
            actor=ON_LINK,
            link=self.link,
            answers={
                "phq9": {str(k): v for k, v in answers(PHQ9, q9=3).items()},
                "gad7": {str(k): v for k, v in answers(GAD7).items()},
            },
        )

        phq9 = next(r for r in responses if r.instrument.code == "phq9")
        alert = self.assert_one_alert_emailed()
        self.assertEqual(alerts, [alert])
        self.assertEqual(alert.pk, draft_alert.pk)
        self.assertEqual(alert.response, phq9)
        self.assertEqual(AuditEvent.objects.filter(action=RAISE_ACTION).count(), 1)
        attach = AuditEvent.objects.get(action=ATTACH_ACTION)
        self.assertEqual(attach.detail, {"response": phq9.pk, "item": 9})


class AnswerPageTests(DraftAlertTestCase):
    def test_it_raises_an_alert_on_save_for_later_and_shows_the_crisis_lines_first(
        self,
    ) -> None:
        response = self.client.post(self.url, post_data({"phq9": {9: 3}}, action="save"))

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Your answers are saved")
        self.assert_one_alert_emailed()
        main = _main(response)
        self.assertIn(CRISIS, main)
        self.assertLess(main.index("tel:988"), main.index("<h1"))
        self.assertLess(main.index("tel:911"), main.index("<h1"))
        self.link.refresh_from_db()
        self.assertEqual(self.link.draft["phq9"], {"9": 3})

    def test_it_shows_no_crisis_lines_for_a_draft_without_a_safety_answer(self) -> None:
        response = self.client.post(self.url, post_data({"phq9": {1: 3, 9: 0}}, action="save"))

        self.assertContains(response, "Your answers are saved")
        self.assertNotIn(CRISIS, _main(response))
        self.assertFalse(SafetyAlert.objects.exists())

    def test_it_raises_an_alert_on_a_submit_refused_as_incomplete(self) -> None:
        phq = answers(PHQ9, 0, q9=3)
        del phq[4]

        response = self.client.post(
            self.url, post_data({"phq9": phq, "gad7": answers(GAD7)}, action="submit")
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "1 question still needs an answer")
        self.assert_one_alert_emailed()
        main = _main(response)
        self.assertLess(main.index("tel:988"), main.index("<h1"))
        self.assertFalse(Response.objects.exists())
        self.link.refresh_from_db()
        self.assertEqual(self.link.draft["phq9"]["9"], 3)
        self.assertIsNone(self.link.used_at)

    def test_it_raises_an_alert_for_the_phq9_while_a_pcl5_in_the_link_is_unfinished(
        self,
    ) -> None:
        link, token = services.link_send(
            actor=SYSTEM, client=self.client_obj, codes=["phq9", "pcl5"]
        )
        OutboundEmail.objects.all().delete()
        pcl = dict(list(answers(PCL5, 1).items())[:5])  # 5 of the 20 PCL-5 items

        response = self.client.post(
            reverse("measure_answer:answer", args=[token]),
            post_data({"phq9": answers(PHQ9, 1, q9=2), "pcl5": pcl}, action="submit"),
        )

        self.assertContains(response, "15 questions still need an answer")
        alert = self.assert_one_alert_emailed(value=2)
        self.assertEqual(alert.link, link)
        self.assertIn(CRISIS, _main(response))

    def test_it_shows_the_crisis_lines_again_when_the_client_comes_back(self) -> None:
        self.client.post(self.url, post_data({"phq9": {9: 2}}, action="save"))

        response = self.client.get(self.url)

        self.assertIn(CRISIS, _main(response))

    def test_it_raises_one_alert_and_one_email_over_saves_and_the_final_submit(self) -> None:
        self.client.post(self.url, post_data({"phq9": {9: 3}}, action="save"))
        self.client.post(self.url, post_data({"phq9": {9: 3, 1: 1}}, action="save"))
        complete = post_data({"phq9": answers(PHQ9, 1, q9=3), "gad7": answers(GAD7)})

        response = self.client.post(self.url, complete)

        self.assertContains(response, "Thank you, your answers have been sent")
        self.assertIn(CRISIS, _main(response))
        alert = self.assert_one_alert_emailed()
        self.assertEqual(alert.response, Response.objects.get(instrument__code="phq9"))


class PaperAlertTests(DraftAlertTestCase):
    def _post(self, given: dict[Any, int]) -> Any:
        self.client.force_login(self.intake)
        data = {f"phq9-{k}": str(v) for k, v in given.items()}
        data["answered_on"] = timezone.localdate().isoformat()
        url = reverse("measures:paper", args=[self.client_obj.pk, "phq9"])
        return self.client.post(url, data, follow=True)

    def test_it_raises_an_alert_from_a_paper_entry_and_says_so(self) -> None:
        page = self._post(answers(PHQ9, 1, q9=3))

        alert = self.assert_one_alert_emailed()
        self.assertEqual(alert.response, Response.objects.get())
        assert alert.response is not None
        self.assertEqual(alert.response.source, Source.PAPER)
        self.assertEqual(AuditEvent.objects.get(action=RAISE_ACTION).actor, self.intake)
        day = timezone.localdate()
        self.assertContains(
            page, f"A safety alert was raised: PHQ-9 item 9 answered 3 on {day:%Y-%m-%d}."
        )
        self.assertContains(page, "needs same-day follow-up")

    def test_it_says_nothing_of_an_alert_for_a_paper_entry_without_one(self) -> None:
        page = self._post(answers(PHQ9, 1, q9=0))

        self.assertContains(page, "entered from the paper form")
        self.assertNotContains(page, "A safety alert was raised")
        self.assertFalse(SafetyAlert.objects.exists())


class StaffViewOfADraftAlertTests(DraftAlertTestCase):
    def test_it_shows_a_draft_alert_on_its_page_the_list_and_the_gate(self) -> None:
        link_services.link_save_draft(actor=ON_LINK, link=self.link, draft={"phq9": {"9": 2}})
        alert = SafetyAlert.objects.get()
        self.client.force_login(self.therapist)
        day = timezone.localdate()

        page = self.client.get(reverse("alerts:alert", args=[alert.pk]))
        listing = self.client.get(reverse("alerts:list"))

        self.assertContains(page, "More than half the days (2)")
        self.assertContains(page, "saved by the client in a questionnaire not yet submitted")
        self.assertContains(listing, f"PHQ-9 item 9 answered 2 on {day:%Y-%m-%d}")
        self.assertEqual(
            safety.gate_descriptions(self.client_obj),
            [f"PHQ-9 item 9 answered 2 on {day:%Y-%m-%d} — not yet acknowledged"],
        )


class ModelTests(DraftAlertTestCase):
    def test_it_keeps_the_link_of_a_draft_alert(self) -> None:
        link_services.link_save_draft(actor=ON_LINK, link=self.link, draft={"phq9": {"9": 1}})

        # The draft's answers live on the link: the alert protects it from deletion.
        with self.assertRaises(ProtectedError):
            MeasureLink.objects.filter(pk=self.link.pk).delete()
