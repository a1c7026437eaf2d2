"""Today's appointments table, its rows written in Python (common.rows).

Why: the table's rows through the template were a third of the Today page's work at
10,000 clients (`make bench-work`, issue 14): a value of a row cost some 400 bytecodes
through `{{ }}`, and a row writes twelve. The markup is the template's, character for
character (pathways/tests/test_rows_markup.py renders both); the page around the rows
stays in templates/pathways/dashboard.html.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import format_html
from django.utils.safestring import SafeString

from common.rows import label, rows
from common.template_badges import status_badge
from common.template_dates import time as time_filter
from pathways.today import TodayAppointment

APPOINTMENT_ROW = """
      <tr class="today-appt today-type-{type}">
        <td class="today-time">{starts}–{ends}</td>
        <td>{client}</td>
        <td>{kind}</td>
        {clinician}
        <td>{room}</td>
        <td>{badge}</td>
        <td><a class="button small" href="{url}">{way_in}<span class="visually-hidden">: {client}, {starts}</span></a></td>
      </tr>
    """  # noqa: E501  (one row, as the page shows it)


def appointment_rows(
    appointments: Iterable[TodayAppointment], *, show_clinician: bool
) -> SafeString:
    """The rows of Today's appointments; the clinician's column only for someone who
    sees every clinician's day (not a therapist, who sees their own)."""
    return rows(
        APPOINTMENT_ROW,
        (
            {
                "type": row.appointment.type,
                "starts": time_filter(row.appointment.starts_at, "H:i"),
                "ends": time_filter(row.appointment.ends_at, "H:i"),
                "client": row.appointment.client.full_name,
                "kind": label(row.appointment, "type"),
                "clinician": _clinician_cell(row) if show_clinician else SafeString(""),
                "room": (row.appointment.room.name if row.appointment.room else "") or "—",
                "badge": status_badge(row.appointment),
                "url": row.url,
                "way_in": row.way_in,
            }
            for row in appointments
        ),
    )


def _clinician_cell(row: TodayAppointment) -> SafeString:
    return format_html("<td>{}</td>", row.appointment.clinician.display_name)
