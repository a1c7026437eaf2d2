"""The dosing record's session timeline is a picture on its own URL (issue 14): the page
shows an <img> and draws nothing; the picture is drawn once per version of its data
(common.pictures), refused to anyone who may not see the record, audited, never stored
by the browser."""

from __future__ import annotations

import re
from unittest import mock

from django.core.cache import caches

from audit.models import AuditEvent
from bls import charts
from dosing.tests.support import add_vitals, cleared, give_dose, open_record
from pathways.testing import BaseTestCase


class TimelinePictureTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        caches["pictures"].clear()
        _ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        cleared(self.record, self.therapist, minutes_ago=80)
        give_dose(self.record, self.therapist, self.admin, minutes_ago=75)
        self.page_url = f"/staff/dosing/{self.record.pk}/"
        self.url = f"{self.page_url}timeline.svg"

    def test_it_shows_an_img_of_the_picture_url_and_no_inline_svg(self) -> None:
        self.client.force_login(self.therapist)
        with mock.patch.object(charts, "draw_session_timeline") as draw:
            response = self.client.get(self.page_url)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        found = re.search(r'<img src="([^"]+)"[^>]*id="timeline-chart"', html)
        assert found is not None
        self.assertRegex(found.group(1), rf"^{re.escape(self.url)}\?v=\d+$")
        self.assertNotIn("data:image/svg+xml", html)
        self.assertNotIn("<svg", html)
        draw.assert_not_called()

    def test_it_serves_the_picture_audited_and_never_stored(self) -> None:
        self.client.force_login(self.therapist)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/svg+xml; charset=utf-8")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertIn("default-src 'none'", response["Content-Security-Policy"])
        self.assertTrue(response.content.startswith(b"<svg"))
        event = AuditEvent.objects.get(action="dosing.timeline_view")
        self.assertEqual(event.object_id, str(self.record.pk))
        self.assertEqual(event.client_id, self.record.session.course.client_id)

    def test_it_answers_404_to_another_therapist_and_403_to_intake(self) -> None:
        self.client.force_login(self.therapist2)
        with mock.patch.object(charts, "draw_session_timeline") as draw:
            refused = self.client.get(self.url)
        self.assertEqual(refused.status_code, 404)
        self.assertIn("no-store", refused["Cache-Control"])
        draw.assert_not_called()
        self.client.force_login(self.intake)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_draws_once_and_serves_the_cached_picture_after(self) -> None:
        self.client.force_login(self.therapist)
        with mock.patch.object(
            charts, "draw_session_timeline", wraps=charts.draw_session_timeline
        ) as draw:
            first = self.client.get(self.url)
            second = self.client.get(self.url)
        self.assertEqual(draw.call_count, 1)
        self.assertEqual(first.content, second.content)

    def test_it_draws_again_when_a_vital_is_added(self) -> None:
        self.client.force_login(self.therapist)
        with mock.patch.object(
            charts, "draw_session_timeline", wraps=charts.draw_session_timeline
        ) as draw:
            before = self.client.get(self.url).content
            add_vitals(self.record, self.therapist, phase="monitoring", minutes_ago=40)
            after = self.client.get(self.url).content
            self.client.get(self.url)
        self.assertEqual(draw.call_count, 2)
        self.assertNotEqual(before, after)
