"""The expected effect window on the session timeline (issue 12 §3): for each route,
the band drawn matches the data; its peak is labelled clear of the other labels;
the text alternative names it; the record places the peak against the phases and
flags a peak after reprocessing ended."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from django.urls import reverse
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from bls.charts import (
    PEAK_LABEL,
    effect_bands,
    label_box,
    measuring_renderer,
    session_timeline_svg,
    timeline_figure,
    window_description,
)
from bls.dose_window import peak_position
from bls.timeline import TimelineData
from dosing.effect_window import DEFAULT_WINDOWS, PLANNING_NOTE
from pathways.testing import BaseTestCase

from .support import give, make_emdr_session, mark

T0 = dt.datetime(2026, 5, 4, 14, 0, tzinfo=dt.UTC)
DOSE_MINUTE = 10


def one_dose(route: str) -> TimelineData:
    return TimelineData(
        start=T0,
        doses=[("Dose", T0 + dt.timedelta(minutes=DOSE_MINUTE))],
        dose_routes=[route],
    )


def drawn_bands(figure_axes: list[Axes]) -> list[tuple[float, float]]:
    """(left, right) in minutes of each hatched band on the first panel."""
    return [
        (round(p.get_x(), 6), round(p.get_x() + p.get_width(), 6))
        for p in figure_axes[0].patches
        if isinstance(p, Rectangle) and p.get_hatch() == "//"
    ]


@pytest.mark.parametrize("emdr", [False, True])
@pytest.mark.parametrize("route", sorted(DEFAULT_WINDOWS))
def test_the_window_drawn_matches_the_data(route: str, emdr: bool) -> None:
    window = DEFAULT_WINDOWS[route]
    data = one_dose(route)

    onset, peak, offset = effect_bands(data)[0]
    figure, _labels = timeline_figure(data, None, emdr=emdr)

    assert (onset, peak) == (DOSE_MINUTE + window.onset, DOSE_MINUTE + window.peak)
    if window.offset is None:
        assert offset is None
    else:
        assert offset == DOSE_MINUTE + window.offset
    end = offset if offset is not None else peak
    assert drawn_bands(figure.axes) == [(onset, end)]
    peak_lines = [line for line in figure.axes[0].lines if line.get_linestyle() == "-."]
    assert [
        round(float(np.asarray(line.get_xdata(), dtype=float)[0]), 6) for line in peak_lines
    ] == [peak]
    left, right = figure.axes[0].get_xlim()
    assert left <= onset  # the whole window is on the chart
    assert end <= right
    assert window_description(data).startswith(
        f" Dose's expected effect window from {round(onset)} min"
    )


def test_a_route_without_figures_draws_no_window() -> None:
    data = one_dose("subcutaneous")

    figure, _ = timeline_figure(data, None, emdr=False)

    assert effect_bands(data) == {}
    assert drawn_bands(figure.axes) == []
    assert window_description(data) == ""


class WindowOnTheRecordTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)

    def at(self, minutes: int) -> dt.datetime:
        return self.emdr.start + dt.timedelta(minutes=minutes)

    def test_the_peak_label_never_overlaps_the_phase_labels(self) -> None:
        give(self.emdr.session, self.therapist, self.at(5))  # sublingual: peak at 50
        for phase in range(1, 9):
            mark(self.emdr.record, phase, self.at(46 + phase), self.therapist)
        from bls.charts import drawable, limits_of
        from bls.timeline import timeline_data

        data, _ = drawable(timeline_data(self.emdr.record))
        figure, labels = timeline_figure(data, limits_of(self.emdr.record), emdr=True)

        renderer = measuring_renderer(figure)
        texts = [t for t in figure.axes[0].texts if t.get_text()]
        assert PEAK_LABEL in [t.get_text() for t in texts]
        assert len(labels) == 8
        boxes = [label_box(t, renderer) for t in texts]
        for (a, one), (b, other) in itertools.combinations(zip(texts, boxes, strict=True), 2):
            assert not one.overlaps(other), (a.get_text(), b.get_text())

    def test_the_text_alternative_names_the_window(self) -> None:
        give(self.emdr.session, self.therapist, self.at(5))

        svg = session_timeline_svg(self.emdr.record)

        assert "Dose's expected effect window from 20 min to 125 min, peak at about 50 min" in svg
        assert PLANNING_NOTE.rstrip(".") in svg

    def test_it_flags_a_peak_after_reprocessing_ended(self) -> None:
        give(self.emdr.session, self.therapist, self.at(5))  # sublingual: peak at 50
        for phase, minute in ((3, 0), (4, 10), (5, 30)):
            mark(self.emdr.record, phase, self.at(minute), self.therapist)
        self.client.force_login(self.therapist)

        html = self.client.get(reverse("bls:record", args=[self.emdr.record.pk])).content.decode()

        self.assertIn('id="peak-position"', html)
        self.assertIn("after reprocessing ended (phase 5 Installation marked", html)
        self.assertIn('id="peak-flag"', html)
        self.assertIn("Expected peak after reprocessing ended", html)
        self.assertIn(PLANNING_NOTE, html)

    def test_a_peak_during_desensitisation_is_not_flagged(self) -> None:
        give(self.emdr.session, self.therapist, self.at(5))
        for phase, minute in ((3, 0), (4, 10), (5, 80)):
            mark(self.emdr.record, phase, self.at(minute), self.therapist)
        self.client.force_login(self.therapist)

        html = self.client.get(reverse("bls:record", args=[self.emdr.record.pk])).content.decode()

        self.assertIn("), during phase 4 Desensitisation.", html)
        self.assertNotIn('id="peak-flag"', html)

    def test_no_dose_no_peak(self) -> None:
        self.assertIsNone(peak_position(dose_at=None, route="sublingual", marks=[]))
