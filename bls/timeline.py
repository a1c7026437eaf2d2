"""What the session timeline shows: the dose(s), the EMDR phase marks, SUD and VOC,
and the vital signs of a session, in minutes from its start, and the same data as
a table in time order (the picture's text alternative). `bls.charts` draws it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString

from bls import queries
from bls.models import EmdrRecord, Phase
from common.rows import rows as common_rows
from common.template_dates import date as date_filter
from treatment.models import TreatmentSession


@dataclass
class Score:
    at: dt.datetime
    value: int
    label: str  # "SUD at start", "Set 3", … (no free text)


@dataclass
class TimelineData:
    start: dt.datetime | None = None
    doses: list[tuple[str, dt.datetime]] = field(default_factory=list)
    dose_routes: list[str] = field(default_factory=list)  # one per dose, in order
    phases: list[tuple[int, dt.datetime]] = field(default_factory=list)
    sud: list[Score] = field(default_factory=list)
    voc: list[Score] = field(default_factory=list)
    vitals: list[Any] = field(default_factory=list)  # dosing.models.VitalSigns

    @property
    def empty(self) -> bool:
        return not (self.doses or self.phases or self.sud or self.voc or self.vitals)

    def moments(self) -> list[dt.datetime]:
        return [
            *(at for _, at in self.doses),
            *(at for _, at in self.phases),
            *(s.at for s in self.sud),
            *(s.at for s in self.voc),
            *(v.taken_at for v in self.vitals),
        ]

    def minutes(self, at: dt.datetime) -> float:
        origin = self.start or min(self.moments(), default=at)
        return (at - origin).total_seconds() / 60


def timeline_data(source: TreatmentSession | EmdrRecord) -> TimelineData:
    """What the timeline shows, for a course session (with or without an EMDR record)
    or for an EMDR record (of a session or of an appointment)."""
    record: EmdrRecord | None
    data = TimelineData()
    if isinstance(source, EmdrRecord):
        record = source
    else:
        record = EmdrRecord.objects.filter(session=source).first()
    if record is not None:
        data.start = queries.session_start(record)
        admins = queries.administrations(record)
        data.vitals = queries.vitals(record)
    elif isinstance(source, TreatmentSession):
        data.start = source.started_at
        admins = _session_administrations(source)
        data.vitals = _session_vitals(source)
    data.doses = [(a.get_kind_display(), a.given_at) for a in admins]
    data.dose_routes = [a.route for a in admins]
    if record is not None:
        _add_emdr(data, record)
    return data


def _session_administrations(session: TreatmentSession) -> list[Any]:
    from dosing.models import Administration

    return list(Administration.objects.filter(record__session=session))


def _session_vitals(session: TreatmentSession) -> list[Any]:
    from dosing.models import VitalSigns

    return list(VitalSigns.objects.filter(record__session=session))


def _add_emdr(data: TimelineData, record: EmdrRecord) -> None:
    marks = queries.phase_marks(record)
    sets = queries.sets(record)
    data.phases = [(m.phase, m.at) for m in marks]

    def first_mark(phase: int) -> dt.datetime | None:
        return next((m.at for m in marks if m.phase == phase), None)

    def last_mark(phase: int) -> dt.datetime | None:
        return next((m.at for m in reversed(marks) if m.phase == phase), None)

    # Start scores belong to the assessment, end scores to closure; without those
    # marks they sit at the first or the last thing recorded.
    recorded = sorted([m.at for m in marks] + [s.at for s in sets])
    first = recorded[0] if recorded else record.created_at
    last = recorded[-1] if recorded else record.created_at
    start_at = first_mark(Phase.ASSESSMENT) or first
    end_at = last_mark(Phase.CLOSURE) or last
    if record.sud_start is not None:
        data.sud.append(Score(start_at, record.sud_start, "SUD at start"))
    data.sud += [Score(s.at, s.sud, f"Set {s.number}") for s in sets if s.sud is not None]
    if record.sud_end is not None:
        data.sud.append(Score(end_at, record.sud_end, "SUD at end"))
    if record.voc_start is not None:
        data.voc.append(Score(start_at, record.voc_start, "VOC at start"))
    if record.installation_voc is not None:
        installed = first_mark(Phase.INSTALLATION) or end_at
        data.voc.append(Score(installed, record.installation_voc, "Installation VOC"))
    if record.voc_end is not None:
        data.voc.append(Score(end_at, record.voc_end, "VOC at end"))
    data.sud.sort(key=lambda s: s.at)
    data.voc.sort(key=lambda s: s.at)


# --- The table beside the picture ----------------------------------------------


@dataclass
class Row:
    at: dt.datetime
    minutes: int
    event: str
    sud: int | None = None
    voc: int | None = None
    vitals: str = ""


# A row of the table (common.rows: a session's 100-odd rows through the template were
# a tenth of the EMDR record's work, issue 14).
TABLE_ROW = """
      <tr><td><time datetime="{iso}">{hm}</time></td><td>{minutes}</td><td>{event}</td><td>{sud}</td><td>{voc}</td><td>{vitals}</td></tr>
      """  # noqa: E501  (one row, as the page shows it)


def table_rows(rows: list[Row]) -> SafeString:
    return common_rows(
        TABLE_ROW,
        (
            {
                "iso": date_filter(r.at, "c"),
                "hm": date_filter(r.at, "H:i"),
                "minutes": r.minutes,
                "event": r.event,
                "sud": "" if r.sud is None else r.sud,
                "voc": "" if r.voc is None else r.voc,
                "vitals": r.vitals,
            }
            for r in rows
        ),
    )


def timeline_rows(data: TimelineData) -> list[Row]:
    """The picture's data, row by row in time order (its text alternative)."""
    rows: list[Row] = []

    def add(at: dt.datetime, event: str, **extra: Any) -> None:
        rows.append(Row(at, round(data.minutes(at)), event, **extra))

    for label, at in data.doses:
        add(at, label)
    for phase, at in data.phases:
        add(at, f"Phase {Phase(phase).label}")
    for score in data.sud:
        add(score.at, score.label, sud=score.value)
    for score in data.voc:
        add(score.at, score.label, voc=score.value)
    for v in data.vitals:
        add(
            v.taken_at,
            "Vital signs",
            vitals=f"BP {v.systolic}/{v.diastolic}, HR {v.heart_rate}, SpO2 {v.spo2}%",
        )
    return sorted(rows, key=lambda r: r.at)
