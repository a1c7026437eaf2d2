"""Stored responses: the safety hook, the client's measures page, the panel, the
timeline and the partner snapshot (latest_scores)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from accounts.actor import Actor
from clients.models import Client
from measures import queries, services
from measures.models import Instrument, Response, SafetyAlert, Source
from measures.tests.support import GAD7, ON_LINK, PHQ9, SYSTEM, answers, answers_totalling
from measures.tests.test_send import load_instruments
from pathways.testing import BaseTestCase, make_client


class ResponseTests(BaseTestCase):
    client_obj: Client
    phq9: Instrument
    gad7: Instrument

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.client_obj = make_client(assigned_therapist=cls.therapist)
        cls.phq9 = Instrument.objects.get(code="phq9")
        cls.gad7 = Instrument.objects.get(code="gad7")

    def _record(
        self,
        instrument: Instrument,
        total: int,
        days_ago: int,
        source: str = Source.LINK,
        actor: Actor = ON_LINK,
    ) -> Response:
        definition = PHQ9 if instrument.code == "phq9" else GAD7
        return services.response_record(
            actor=actor,
            client=self.client_obj,
            instrument=instrument,
            answers=answers_totalling(definition, total),
            answered_at=timezone.now() - dt.timedelta(days=days_ago),
            source=source,
        )

    def test_it_raises_a_safety_alert_for_phq9_item_9_at_once(self) -> None:
        response = services.response_record(
            actor=ON_LINK,
            client=self.client_obj,
            instrument=self.phq9,
            answers=answers(PHQ9, q9=1),
        )

        alert = SafetyAlert.objects.get()
        self.assertEqual((alert.response, alert.item, alert.value), (response, 9, 1))

    def test_it_shows_crisis_resources_first_after_a_real_item_9_answer(self) -> None:
        _, token = services.link_send(actor=SYSTEM, client=self.client_obj, codes=["phq9"])
        data = {"submit": "1", **{f"phq9-{k}": str(v) for k, v in answers(PHQ9, q9=2).items()}}

        page = self.client.post(reverse("measure_answer:answer", args=[token]), data)

        self.assertEqual(SafetyAlert.objects.count(), 1)
        main = page.content.decode().split("<main", 1)[1]
        self.assertLess(main.index("tel:988"), main.index("<h1"))
        self.assertLess(main.index("tel:911"), main.index("<h1"))

    def test_it_lists_every_response_on_the_clients_measures_page(self) -> None:
        self._record(self.phq9, 12, 30)
        self._record(self.gad7, 6, 2, source=Source.PAPER, actor=Actor.for_user(self.therapist))
        self.client.force_login(self.therapist)

        page = self.client.get(reverse("measures:client", args=[self.client_obj.pk]))

        self.assertEqual(page.status_code, 200)
        rows = page.content.decode().split('id="responses"', 1)[1]
        self.assertIn("<td>12</td>", rows)
        self.assertIn("Moderate", rows)
        self.assertIn("<td>6</td>", rows)
        self.assertIn("Paper</span>", rows)
        self.assertLess(rows.index("GAD-7"), rows.index("PHQ-9"))  # newest first

    def test_it_hides_another_therapists_clients_measures(self) -> None:
        self._record(self.phq9, 12, 30)
        self.client.force_login(self.therapist2)

        page = self.client.get(reverse("measures:client", args=[self.client_obj.pk]))

        self.assertEqual(page.status_code, 404)

    def test_it_shows_the_latest_score_per_instrument_on_the_client_page(self) -> None:
        self._record(self.phq9, 20, 60)
        self._record(self.phq9, 8, 3)
        self.client.force_login(self.therapist)

        page = self.client.get(f"{self.client_obj.get_absolute_url()}measures/")

        panel = page.content.decode().split('id="measures"', 1)[1].split("</section>", 1)[0]
        self.assertIn("<td>8</td>", panel)
        self.assertNotIn("<td>20</td>", panel)
        self.assertIn("Send measures", panel)
        self.assertIn("Enter a paper form", panel)

    def test_it_puts_no_score_on_the_timeline(self) -> None:
        from clients.panels import timeline_for

        self._record(self.phq9, 12, 1)

        [entry] = [e for e in timeline_for(self.client_obj) if e.kind == "measure"]

        self.assertEqual(entry.text, "PHQ-9 answered")

    def test_it_gives_the_latest_scores_for_the_referral_snapshot(self) -> None:
        self._record(self.phq9, 20, 60)
        latest = self._record(self.phq9, 8, 3)
        self._record(self.gad7, 11, 10)

        scores = queries.latest_scores(self.client_obj)

        self.assertEqual(
            scores,
            [
                {
                    "instrument": "GAD-7",
                    "score": 11,
                    "band": "Moderate",
                    "date": (timezone.localdate() - dt.timedelta(days=10)).isoformat(),
                },
                {
                    "instrument": "PHQ-9",
                    "score": 8,
                    "band": "Mild",
                    "date": timezone.localtime(latest.answered_at).date().isoformat(),
                },
            ],
        )
