"""Read-only views of a record, shared by the staff page and the portal summary."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass

from django.db.models import QuerySet

from common.plugins import plugins
from common.prepared import Prepared, with_parent
from dosing.models import Administration, DosingRecord, VitalSigns
from dosing.vitals import Flag, flags
from prescriptions.queries import versions_by_time

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VitalsRow:
    vitals: VitalSigns
    flags: dict[str, Flag]

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def cell(self, name: str) -> Flag | None:
        return self.flags.get(name)

    # Template access: row.systolic_flag etc.
    @property
    def systolic_flag(self) -> Flag | None:
        return self.flags.get("systolic")

    @property
    def diastolic_flag(self) -> Flag | None:
        return self.flags.get("diastolic")

    @property
    def heart_rate_flag(self) -> Flag | None:
        return self.flags.get("heart_rate")

    @property
    def spo2_flag(self) -> Flag | None:
        return self.flags.get("spo2")


def vitals_rows(record: DosingRecord) -> list[VitalsRow]:
    """Each set, flagged against the prescription version in force when it was taken
    (a revision after the session does not re-judge its vitals)."""
    versions = versions_by_time(record.prescription)
    rows = []
    for v in with_parent(_vitals(record=record.pk), "record", record):
        # Times are typed to the minute: a set in the minute of a revision is judged by it.
        in_force = [
            rx for rx in versions if rx.created_at.replace(second=0, microsecond=0) <= v.taken_at
        ] or versions[:1]
        rows.append(VitalsRow(v, flags(v, in_force[-1])))
    return rows


def administrations(record: DosingRecord) -> list[Administration]:
    return with_parent(_administrations(record=record.pk), "record", record)


# `record.vitals.select_related(...)` and `record.administrations.select_related(...)`,
# compiled once (common.prepared): the record's page and the portal's summary read
# them. Each row has its record, as the relation gave it (`with_parent`).
@Prepared
def _vitals(*, record: int) -> QuerySet[VitalSigns]:
    return VitalSigns.objects.filter(record_id=record).select_related("recorded_by")


@Prepared
def _administrations(*, record: int) -> QuerySet[Administration]:
    related = ("given_by", "witnessed_by", "prescription")
    return Administration.objects.filter(record_id=record).select_related(*related)


def session_chart_svg(record: DosingRecord) -> str:
    """The bls session timeline chart of the record's session, as SVG text ("" when no
    chart draws one, or the chart fails)."""
    # The chart comes from the app that draws it (bls, above dosing in the layers),
    # named in settings.PATHWAYS_SESSION_CHARTS: the first that draws one wins. It
    # keeps its pictures until their data changes (common.pictures).
    for chart in plugins("PATHWAYS_SESSION_CHARTS"):
        try:
            svg = chart(record.session)
        except Exception:  # a chart must never take the clinical record down
            logger.exception("session timeline chart failed for record %s", record.pk)
            continue
        if svg:
            return str(svg)
    return ""


def timeline_chart(record: DosingRecord) -> str | None:
    """The chart as a data: URI for an <img>, for the portal's summary.

    An <img> keeps the SVG's own inline styles out of the page, whose CSP forbids
    them (img-src allows data:). None when there is no chart, or the chart fails.
    """
    svg = session_chart_svg(record)
    if not svg:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
