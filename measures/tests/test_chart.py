"""The client's outcome chart: a well-formed SVG with the instrument's bands, the
scores, the dosing sessions, and no name."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.test import override_settings

from clients.models import Client
from measures.models import Instrument
from measures.outcomes import charts
from measures.tests.factories import day, load_instruments, make_score
from pathways.testing import BaseTestCase, make_client, make_course, make_session
from treatment.models import SessionKind, TreatmentCourse

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> str:
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG
    return " ".join("".join(el.itertext()) for el in root.iter(f"{SVG}text"))


class ClientChartTests(BaseTestCase):
    record: Client
    phq9: Instrument
    course: TreatmentCourse

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.record = make_client(
            first_name="Quentin", last_name="Zebedee", assigned_therapist=cls.therapist
        )
        cls.phq9 = Instrument.objects.get(code="phq9")
        cls.course = make_course(cls.record, cls.therapist)

    def test_it_is_well_formed_svg_with_the_bands_of_the_definition(self) -> None:
        make_score(self.record, "phq9", 19, day(2026, 1, 5))
        make_score(self.record, "phq9", 7, day(2026, 3, 5))

        svg = charts.client_instrument_svg(self.record, self.phq9)

        root = ET.fromstring(svg)  # noqa: S314
        self.assertEqual(root.tag, f"{SVG}svg")
        words = texts(svg)
        for band in self.phq9.definition["bands"]:
            self.assertIn(band["label"], words)
        self.assertIn("Moderately severe (15–19)", words)
        self.assertIn("PHQ-9 total (0–27)", words)

    def test_it_marks_a_started_dosing_session(self) -> None:
        make_score(self.record, "phq9", 19, day(2026, 1, 5))
        make_score(self.record, "phq9", 7, day(2026, 3, 5))
        make_session(self.course, planned_date=day(2026, 1, 20).date())  # not started
        without = charts.client_instrument_svg(self.record, self.phq9)
        make_session(self.course, started_at=day(2026, 2, 1))

        svg = charts.client_instrument_svg(self.record, self.phq9)

        self.assertNotIn(charts.DOSING_LABEL, texts(without))
        self.assertIn(charts.DOSING_LABEL, texts(svg))
        self.assertIn("1 dosing session(s) marked", svg)

    def test_it_marks_dosing_sessions_of_every_course_but_not_other_kinds(self) -> None:
        make_score(self.record, "phq9", 19, day(2026, 1, 5))
        second = make_course(self.record, self.therapist)
        make_session(second, started_at=day(2026, 2, 1))
        make_session(second, kind=SessionKind.INTEGRATION, started_at=day(2026, 2, 2))

        svg = charts.client_instrument_svg(self.record, self.phq9)

        self.assertIn("1 dosing session(s) marked", svg)

    def test_the_pcl5_chart_uses_the_practices_cut_point(self) -> None:
        pcl5 = Instrument.objects.get(code="pcl5")
        make_score(self.record, "pcl5", 50, day(2026, 1, 5))
        make_score(self.record, "pcl5", 30, day(2026, 3, 5))
        default = texts(charts.client_instrument_svg(self.record, pcl5))

        with override_settings(PCL5_CUT_POINT=40):
            svg = charts.client_instrument_svg(self.record, pcl5)
            version = charts.chart_version(self.record, pcl5)

        words = texts(svg)
        self.assertIn("At or above the probable-PTSD cut-point (40–80)", words)
        self.assertIn("Below the probable-PTSD cut-point (0–39)", words)
        self.assertIn("Cut-point 40 (practice setting)", words)
        self.assertNotIn("(33–80)", words)
        self.assertIn("cut-point, 40.", svg)  # the description says so too
        self.assertIn("Cut-point 33 (practice setting)", default)
        self.assertIn("(33–80)", default)
        self.assertNotEqual(version, charts.chart_version(self.record, pcl5))

    def test_an_instrument_without_a_cut_point_has_no_cut_point_line(self) -> None:
        make_score(self.record, "phq9", 19, day(2026, 1, 5))

        self.assertNotIn("Cut-point", texts(charts.client_instrument_svg(self.record, self.phq9)))

    def test_it_carries_no_name(self) -> None:
        make_score(self.record, "phq9", 19, day(2026, 1, 5))

        svg = charts.client_instrument_svg(self.record, self.phq9)

        for part in ("Quentin", "Zebedee", self.record.email):
            self.assertNotIn(part, svg)

    def test_it_says_no_scores_yet_when_empty(self) -> None:
        svg = charts.client_instrument_svg(self.record, self.phq9)

        ET.fromstring(svg)  # noqa: S314
        self.assertIn(charts.NO_SCORES, texts(svg))

    def test_the_same_data_gives_the_same_svg(self) -> None:
        make_score(self.record, "phq9", 19, day(2026, 1, 5))

        first = charts.client_instrument_svg(self.record, self.phq9)

        self.assertEqual(first, charts.client_instrument_svg(self.record, self.phq9))

    def test_the_report_chart_is_well_formed_and_handles_no_one(self) -> None:
        from measures.outcomes.stats import summarise

        groups = [
            ("KAP · PHQ-9", summarise(self.phq9.definition, [(20, 8), (16, 10)])),
            ("KA-EMDR · PHQ-9", summarise(self.phq9.definition, [(20, 8)])),
        ]
        svg = charts.report_change_svg(groups)
        self.assertIn("KAP · PHQ-9 (n=2)", texts(svg))
        self.assertIn("KA-EMDR · PHQ-9 (n=1)", texts(svg))
        self.assertIn("No one", texts(charts.report_change_svg([])))
