"""The rows of the EMDR record's table of desensitisation sets (common.rows).

A session logs dozens of sets, and their rows through the template's loop were a fifth
of the EMDR record's work at 10,000 clients (issue 14): each row writes nine values,
four of them behind a condition. `pathways/tests/test_rows_markup.py` checks that these
rows are what the loop wrote.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from bls.models import DesensitisationSet
from common.rows import label, rows
from common.template_dates import date as date_filter

SET_ROW = """
      <tr data-set="{number}">
        <th scope="row">{number}</th>
        <td><time datetime="{iso}">{hm}</time></td>
        <td>{bls}</td>
        <td>{speed} Hz</td>
        <td>{amount}</td>
        <td>{sud}</td>
        <td>{minutes}</td>
        <td class="pre">{report}</td>
        <td class="pre">{interweave}</td>
      </tr>
      """

INTERRUPTED = (
    ' <span class="badge badge-stopped"><span class="badge-icon" aria-hidden="true">⏸</span>'
    " Interrupted</span>"
)


def _amount(s: DesensitisationSet) -> SafeString:
    """Passes and seconds, where the set came from and whether it was interrupted."""
    parts = []
    if s.passes is not None:
        parts.append(f"{escape(s.passes)} pass{'' if s.passes == 1 else 'es'}")
    if s.passes is not None and s.seconds is not None:
        parts.append(", ")
    if s.seconds is not None:
        parts.append(f"{escape(s.seconds)} s")
    if s.from_display:
        parts.append(' <span class="set-source">(from the display)</span>')
    if s.interrupted:
        parts.append(INTERRUPTED)
    # The numbers are escaped above; the rest is this module's markup.
    return mark_safe("".join(parts))  # noqa: S308


def set_rows(sets: Iterable[DesensitisationSet]) -> SafeString:
    return rows(
        SET_ROW,
        (
            {
                "number": s.number,
                "iso": date_filter(s.at, "c"),
                "hm": date_filter(s.at, "H:i"),
                "bls": label(s, "bls_type"),
                "speed": s.speed_hz,
                "amount": _amount(s),
                "sud": "—" if s.sud is None else s.sud,
                "minutes": "—" if s.minutes_since_dose is None else s.minutes_since_dose,
                "report": s.client_report,
                "interweave": s.interweave,
            }
            for s in sets
        ),
    )
