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

from common.reversing import Reverser
from common.rows import day, rows
from common.template_badges import status_badge
from common.template_dates import time as time_filter
from pathways.today import MeasureRow, Section, TodayAppointment

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
                "kind": row.appointment.get_type_display(),
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


# One measure waiting, as the section's loop wrote it with the former
# pathways/_today_measures.html: through an `{% include %}` a row, the section was the
# Today page's largest remaining part (`make bench-work`, issue 14).
MEASURE_ITEM = """
    <li><a href="{url}">{client}</a>: {reason}, sent {sent}, {until}. {badge}</li>
    """
OVERDUE = status_badge("overdue", "Overdue")
DUE = status_badge("due", "Due")


def measure_items(section: Section) -> SafeString:
    """The `<li>`s of the measures section: each link's client, why it was sent, when,
    and whether it is still open or expired unanswered."""
    url = Reverser()
    items: list[MeasureRow] = section.rows
    return rows(
        MEASURE_ITEM,
        (
            {
                "url": url("measures:client", row.link.client_id),
                "client": row.link.client.full_name,
                "reason": row.link.get_reason_display(),
                "sent": day(row.link.created_at),
                "until": (
                    SafeString(f"expired unanswered {day(row.link.expires_at)}")
                    if row.state == "overdue"
                    else SafeString(f"open until {day(row.link.expires_at)}")
                ),
                "badge": OVERDUE if row.state == "overdue" else DUE,
            }
            for row in items
        ),
    )
