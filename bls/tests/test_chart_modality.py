"""One timeline chart per modality (issue 11 §3): a KAP record's chart draws the vital
signs against the prescriber's limits (labelled lines from the version in force now)
and the dose, with no EMDR panel; a KA-EMDR chart adds the phases and SUD/VOC, with
phase labels that never overlap, even one minute apart."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import xml.etree.ElementTree as ET

from bls.charts import (
    EMDR_TITLE,
    KAP_TITLE,
    SCORE_AXIS_LABEL,
    drawable,
    label_box,
    limits_of,
    measuring_renderer,
    session_timeline_svg,
    timeline_figure,
)
from bls.timeline import timeline_data
from dosing.tests.support import add_vitals, cleared, give_dose, open_record, revise
from pathways.testing import BaseTestCase

from .support import give, make_emdr_session, mark, take_vitals

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 (our own output, made in this test)
    return ["".join(el.itertext()).strip() for el in root.iter(f"{SVG}text")]


def title_of(svg: str) -> str:
    title = ET.fromstring(svg).find(f"{SVG}title")  # noqa: S314
    assert title is not None
    assert title.text is not None
    return title.text


def keep(svg: str, name: str) -> None:
    """With CHART_DUMP=<dir>, the picture is also written there, to look at."""
    folder = os.environ.get("CHART_DUMP")
    if folder:
        with open(os.path.join(folder, name), "w", encoding="utf-8") as out:
            out.write(svg)


class KapChartTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        cleared(self.record, self.therapist, minutes_ago=80)
        give_dose(self.record, self.therapist, self.admin, minutes_ago=75)
        add_vitals(self.record, self.therapist, phase="monitoring", minutes_ago=35)

    def test_it_draws_the_limits_and_the_dose_and_no_emdr_panel(self) -> None:
        svg = session_timeline_svg(self.record.session)
        keep(svg, "kap.svg")
        shown = texts(svg)

        rx = self.ready.prescription
        assert rx is not None
        assert KAP_TITLE in shown
        assert EMDR_TITLE not in shown
        assert f"SBP max {rx.max_systolic}" in " ".join(shown)
        assert f"HR max {rx.hr_max}" in " ".join(shown)
        assert f"SpO2 min {rx.spo2_min}" in " ".join(shown)
        assert "Prescriber's limits (dashed)" in shown
        assert any(t.startswith("Dose (") for t in shown)
        for emdr_text in (*SCORE_AXIS_LABEL.splitlines(), "No SUD or VOC recorded yet"):
            assert emdr_text not in shown
        assert "phase" not in title_of(svg)
        assert "prescriber's limits" in title_of(svg)

    def test_it_draws_the_limits_of_the_version_in_force_now(self) -> None:
        rx = self.ready.prescription
        assert rx is not None
        revise(self.prescriber, rx, max_systolic=152)

        shown = " ".join(texts(session_timeline_svg(self.record.session)))

        assert "SBP max 152" in shown
        assert f"SBP max {rx.max_systolic}" not in shown


class EmdrChartTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)

    def at(self, minutes: int) -> dt.datetime:
        return self.emdr.start + dt.timedelta(minutes=minutes)

    def test_its_phase_labels_never_overlap_one_minute_apart(self) -> None:
        give(self.emdr.session, self.therapist, self.at(5))
        take_vitals(self.emdr.session, self.therapist, self.at(0))
        take_vitals(self.emdr.session, self.therapist, self.at(90))
        for phase in range(1, 9):
            mark(self.emdr.record, phase, self.at(20 + phase), self.therapist)

        data, _ = drawable(timeline_data(self.emdr.record))
        figure, labels = timeline_figure(data, limits_of(self.emdr.record), emdr=True)

        renderer = measuring_renderer(figure)
        boxes = [label_box(label, renderer) for label in labels]
        assert [label.get_text() for label in labels] == [f"P{n}" for n in range(1, 9)]
        for one, other in itertools.combinations(boxes, 2):
            assert not one.overlaps(other), (one, other)
        svg = session_timeline_svg(self.emdr.record)
        keep(svg, "emdr.svg")
        shown = texts(svg)
        assert EMDR_TITLE in shown
        assert {f"P{n}" for n in range(1, 9)} <= set(shown)
        assert any(t.startswith("SBP max") for t in shown)  # the limits, here too
