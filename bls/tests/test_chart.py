from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from django.utils import timezone

from audit.models import AuditEvent
from bls.charts import NO_DATA, SCORE_AXIS_LABEL, VITALS_AXIS_LABEL, session_timeline_svg
from bls.models import EmdrRecord, Phase
from bls.timeline import timeline_data, timeline_rows
from dosing.models import Administration
from pathways.testing import BaseTestCase

from .support import (
    CLIENT_FIRST,
    CLIENT_LAST,
    add_set,
    give,
    make_emdr_appointment,
    make_emdr_session,
    mark,
    take_vitals,
)

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    """Every piece of text the picture shows (parsing fails on broken XML)."""
    root = ET.fromstring(svg)  # noqa: S314 (our own output, made in this test)
    assert root.tag == f"{SVG}svg"
    return ["".join(el.itertext()).strip() for el in root.iter(f"{SVG}text")]


class ChartTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record

    def at(self, minutes: int) -> dt.datetime:
        return self.emdr.start + dt.timedelta(minutes=minutes)

    def fill(self) -> None:
        for phase, minutes in ((1, 2), (2, 8), (3, 15), (4, 25), (5, 55), (6, 60), (7, 66)):
            mark(self.record, phase, self.at(minutes), self.therapist)
        give(self.emdr.session, self.therapist, self.at(20))
        give(self.emdr.session, self.therapist, self.at(50), Administration.Kind.BOOSTER)
        for number, (minutes, sud) in enumerate(((28, 7), (33, 4), (38, 1)), start=1):
            add_set(self.record, number, self.at(minutes), self.therapist, sud)
        for minutes, hr in ((-5, 70), (30, 88), (70, 74)):
            take_vitals(self.emdr.session, self.therapist, self.at(minutes), hr=hr)
        EmdrRecord.objects.filter(pk=self.record.pk).update(
            sud_start=8, voc_start=2, installation_voc=6, sud_end=0, voc_end=7
        )
        self.record.refresh_from_db()

    def test_it_draws_the_dose_the_phases_the_scores_and_the_vitals(self) -> None:
        self.fill()

        svg = session_timeline_svg(self.record)

        assert svg.startswith("<svg")  # no XML prolog: it can be inlined
        shown = texts(svg)
        assert "Dose (20 min)" in shown
        assert "Booster (50 min)" in shown
        assert {f"P{n}" for n in range(1, 8)} <= set(shown)
        for line in SCORE_AXIS_LABEL.splitlines() + VITALS_AXIS_LABEL.splitlines():
            assert line in shown, line
        assert {"SUD (0–10)", "VOC (1–7)", "Systolic BP", "Heart rate (bpm)", "SpO2 (%)"} <= set(
            shown
        )
        assert any(t.startswith("Minutes from session start") for t in shown)
        assert "No data yet" not in shown

    def test_it_carries_an_accessible_title_and_no_name(self) -> None:
        self.fill()

        svg = session_timeline_svg(self.record)

        title = ET.fromstring(svg).find(f"{SVG}title")  # noqa: S314
        assert title is not None
        assert title.text is not None
        assert title.text.startswith("Session timeline: Dose at 20 min; Booster at 50 min")
        for name in (CLIENT_FIRST, CLIENT_LAST, self.therapist.username):
            assert name not in svg

    def test_it_says_no_data_yet_for_an_empty_record(self) -> None:
        svg = session_timeline_svg(self.record)

        assert texts(svg) == [NO_DATA]

    def test_it_draws_a_session_without_an_emdr_record(self) -> None:
        other = make_emdr_session(self.therapist, self.prescriber, self.partner2, record=False)
        assert texts(session_timeline_svg(other.session)) == [NO_DATA]

        give(other.session, self.therapist, other.start + dt.timedelta(minutes=5))
        take_vitals(other.session, self.therapist, other.start + dt.timedelta(minutes=10))

        shown = texts(session_timeline_svg(other.session))
        assert "Dose (5 min)" in shown
        assert "No SUD or VOC recorded yet" in shown

    def test_it_draws_scores_without_vitals(self) -> None:
        mark(self.record, Phase.ASSESSMENT, self.at(10), self.therapist)
        EmdrRecord.objects.filter(pk=self.record.pk).update(sud_start=9)
        self.record.refresh_from_db()

        shown = texts(session_timeline_svg(self.record))

        assert "No vital signs recorded" in shown
        assert "SUD (0–10)" in shown

    def test_it_draws_an_emdr_appointment_without_ketamine(self) -> None:
        appointment = make_emdr_appointment(self.emdr.client, self.therapist, timezone.now())
        record = EmdrRecord.objects.create(appointment=appointment, created_by=self.therapist)
        mark(record, Phase.ASSESSMENT, appointment.starts_at, self.therapist)

        shown = texts(session_timeline_svg(record))

        assert "P3" in shown
        assert not any(t.startswith("Dose") for t in shown)

    def test_it_lists_the_same_data_as_a_table_in_time_order(self) -> None:
        self.fill()

        rows = timeline_rows(timeline_data(self.record))

        assert [r.at for r in rows] == sorted(r.at for r in rows)
        events = [(r.minutes, r.event) for r in rows]
        assert (20, "Dose") in events
        assert (15, "Phase 3 Assessment") in events
        assert (15, "SUD at start") in events
        assert (38, "Set 3") in events
        assert (66, "VOC at end") in events
        assert next(r for r in rows if r.minutes == 30).vitals == "BP 124/80, HR 88, SpO2 98%"


class ChartViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.url = f"/staff/emdr/{self.emdr.record.pk}/timeline.svg"

    def test_it_serves_the_svg_audited_and_uncached(self) -> None:
        give(self.emdr.session, self.therapist, self.emdr.start)
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
        assert "no-store" in response["Cache-Control"]
        # Opened on its own it is a document: styles only, no scripts, nothing fetched.
        assert response["Content-Security-Policy"].startswith("default-src 'none'")
        assert "Dose (0 min)" in texts(response.content.decode())
        event = AuditEvent.objects.get(action="emdr.timeline_view")
        assert event.object_id == str(self.emdr.record.pk)
        assert event.client_id == self.emdr.client.pk

    def test_it_answers_404_to_another_therapist_and_403_to_a_prescriber(self) -> None:
        self.client.force_login(self.therapist2)
        assert self.client.get(self.url).status_code == 404
        self.client.force_login(self.prescriber)
        assert self.client.get(self.url).status_code == 403
        assert not AuditEvent.objects.filter(action="emdr.timeline_view").exists()


class CrowdedPhasesTestCase(BaseTestCase):
    def test_it_shares_one_label_between_marks_made_together(self) -> None:
        emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        start = emdr.start
        mark(emdr.record, 1, start, self.therapist)
        for phase in (5, 6, 7):
            mark(emdr.record, phase, start + dt.timedelta(minutes=60), self.therapist)

        shown = texts(session_timeline_svg(emdr.record))

        assert "P1" in shown
        assert "P5·6·7" in shown
        assert "P6" not in shown
