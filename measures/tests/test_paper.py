"""Entering a paper form: the same items for staff, with the day, marked as paper."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from clients.models import Client
from measures.models import Response, Source
from measures.scoring import score
from measures.tests.support import PCL5, PHQ9, answers, answers_totalling
from measures.tests.test_send import load_instruments
from pathways.testing import BaseTestCase, make_client


def paper_data(code: str, given: dict[Any, int], answered_on: str) -> dict[str, str]:
    data = {f"{code}-{k}": str(v) for k, v in given.items()}
    data["answered_on"] = answered_on
    return data


class PaperTests(BaseTestCase):
    client_obj: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.client_obj = make_client(assigned_therapist=cls.therapist)

    def _url(self, code: str = "phq9") -> str:
        return reverse("measures:paper", args=[self.client_obj.pk, code])

    def test_it_shows_the_items_for_staff(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get(self._url())

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, PHQ9["items"][8]["text"])
        self.assertContains(response, "Answered on")

    def test_it_stores_a_paper_entry_marked_as_paper(self) -> None:
        self.client.force_login(self.therapist)
        given = answers(PHQ9, 2, q9=0)
        day = timezone.localdate() - dt.timedelta(days=3)

        response = self.client.post(
            self._url(), paper_data("phq9", {**given, "difficulty": 1}, day.isoformat())
        )

        self.assertRedirects(response, reverse("measures:client", args=[self.client_obj.pk]))
        stored = Response.objects.get()
        self.assertEqual(stored.source, Source.PAPER)
        self.assertEqual(stored.entered_by, self.therapist)
        self.assertIsNone(stored.link)
        self.assertEqual(timezone.localtime(stored.answered_at).date(), day)
        self.assertEqual(stored.total, score(PHQ9, given).total)
        self.assertEqual(stored.unscored, {"difficulty": 1})
        event = AuditEvent.objects.get(action="measure.record")
        self.assertEqual(event.actor, self.therapist)
        self.assertEqual(event.detail["source"], "paper")

        page = self.client.get(reverse("measures:client", args=[self.client_obj.pk]))
        self.assertContains(page, "Paper</span> entered by")

    def test_it_refuses_a_paper_form_with_an_item_missing(self) -> None:
        self.client.force_login(self.therapist)
        given = answers(PHQ9)
        del given[5]

        response = self.client.post(
            self._url(), paper_data("phq9", given, timezone.localdate().isoformat())
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_phq9-5_error"')
        self.assertContains(response, "Enter the answer from the paper form.")
        self.assertRegex(response.content.decode(), r'name="phq9-1" value="0"[^>]*checked')
        self.assertFalse(Response.objects.exists())

    def test_it_refuses_a_date_in_the_future(self) -> None:
        self.client.force_login(self.therapist)
        tomorrow = timezone.localdate() + dt.timedelta(days=1)

        response = self.client.post(
            self._url(), paper_data("phq9", answers(PHQ9), tomorrow.isoformat())
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The date cannot be in the future.")
        self.assertFalse(Response.objects.exists())

    @override_settings(PCL5_CUT_POINT=40)
    def test_it_scores_the_pcl5_with_the_practice_cut_point(self) -> None:
        self.client.force_login(self.therapist)
        given = answers_totalling(PCL5, 35)

        self.client.post(
            self._url("pcl5"), paper_data("pcl5", given, timezone.localdate().isoformat())
        )

        stored = Response.objects.get()
        self.assertEqual(stored.total, 35)
        self.assertEqual(stored.band_key, score(PCL5, given, cut_point=40).band_key)
        self.assertNotEqual(stored.band_key, score(PCL5, given, cut_point=33).band_key)
        self.assertEqual(set(stored.subscores), {c["key"] for c in PCL5["clusters"]})

    def test_it_answers_an_unknown_instrument_with_404(self) -> None:
        self.client.force_login(self.therapist)

        self.assertEqual(self.client.get(self._url("beck")).status_code, 404)

    def test_it_hides_another_therapists_client(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.client.post(
            self._url(), paper_data("phq9", answers(PHQ9), timezone.localdate().isoformat())
        )

        self.assertEqual(response.status_code, 404)
        self.assertFalse(Response.objects.exists())
