"""`{% vitals_table_rows rows show_notes %}`: the rows of dosing/_vitals_table.html,
written from a format string (common.rows).

A dosing record holds a dozen sets of vitals and more, each row six cells of which four
choose between a flagged and a plain value: through the template's loop they were a
fifth of the dosing record's work at 10,000 clients (issue 14). `show_notes` stays the
including template's choice (the partner portal's summary leaves the notes out).
`dosing/tests/test_vitals_rows.py` checks these rows against the loop they replace.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString

from common.rows import rows, value
from common.template_dates import date as date_filter
from dosing.summary import VitalsRow
from dosing.vitals import Flag

register = template.Library()

ROW = """
  <tr{flagged}>
    <td><time datetime="{iso}">{hm}</time></td>
    <td>{phase}</td>
    <td>{bp}</td>
    <td>{heart_rate}</td>
    <td>{spo2}</td>
    <td>{observations}</td>
  </tr>
  """
FLAGGED = ' class="flagged" data-flagged="true"'
FLAG = '<span class="flag">⚠ {shown} <span class="flag-text">{label}</span></span>'


def _cell(shown: str, flag: Flag | None) -> SafeString:
    """`shown` (already escaped), with its flag's marker and words when it is flagged."""
    if flag is None:
        return SafeString(shown)
    return SafeString(FLAG.format(shown=shown, label=escape(flag.label)))


def _observations(row: VitalsRow, show_notes: bool) -> SafeString:
    v = row.vitals
    parts = []
    if v.sedation:
        parts.append("Sedation. ")
    if v.dissociation:
        parts.append("Dissociation. ")
    if show_notes:
        parts.append(value(v.notes))
    if not v.sedation and not v.dissociation and not show_notes:
        parts.append("—")
    return SafeString("".join(parts))


@register.simple_tag
def vitals_table_rows(vitals_rows: Iterable[VitalsRow], show_notes: bool) -> SafeString:
    return rows(
        ROW,
        (
            {
                "flagged": SafeString(FLAGGED if row.flagged else ""),
                "iso": date_filter(row.vitals.taken_at, "c"),
                "hm": date_filter(row.vitals.taken_at, "H:i"),
                "phase": row.vitals.get_phase_display(),
                "bp": _cell(
                    f"{value(row.vitals.systolic)}/{value(row.vitals.diastolic)}",
                    row.systolic_flag or row.diastolic_flag,
                ),
                "heart_rate": _cell(value(row.vitals.heart_rate), row.heart_rate_flag),
                "spo2": _cell(f"{value(row.vitals.spo2)}%", row.spo2_flag),
                "observations": _observations(row, show_notes),
            }
            for row in vitals_rows
        ),
    )
