"""The inbox's rows and the request's badges, written in Python (common.rows).

Why: the inbox's 25 rows through the template, with a badge template included for each
flagged row, were half of its work at 10,000 clients once its duplicate check was
quick (issue 14). The request page shows the same badges (`duplicate_badge`,
`sent_again_badge` in its context), so their markup is written once, here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from common.reversing import Reverser
from common.rows import rows
from common.template_badges import status_badge
from common.template_dates import date as date_filter
from intake.models import AppointmentRequest

# The markup is the code's: no text from a person in it.
DUPLICATE_BADGE = mark_safe(
    '<span class="badge badge-alert badge-duplicate"><span class="badge-icon" '
    'aria-hidden="true">≈</span> Possible duplicate</span>'
)


def sent_again_badge(count: int) -> SafeString:
    """The "Sent again" badge, with how many times when more than once."""
    times = f" ×{count}" if count > 1 else ""
    return format_html(
        '<span class="badge badge-waiting badge-sent-again"><span class="badge-icon" '
        'aria-hidden="true">↻</span> Sent again{}</span>',
        times,
    )


def _flags(appt: AppointmentRequest, duplicate: bool) -> SafeString:
    if not (duplicate or appt.sent_again_count):
        return SafeString("")
    badges = [DUPLICATE_BADGE] if duplicate else []
    if appt.sent_again_count:
        badges.append(sent_again_badge(appt.sent_again_count))
    # Each badge is already safe (format_html above): joined without a second escape.
    joined = format_html_join(" ", "{}", ((badge,) for badge in badges))
    return format_html(' <span class="row-flags">{}</span>', joined)


INBOX_ROW = """
    <tr{row_class}>
      <td>{received}</td>
      <td><a href="{url}">{name}</a>{flags}</td>
      <td>{service}</td>
      <td>{badge}</td>
      <td>{assigned}</td>
    </tr>"""
# An attribute of the code's own, written into the row's tag as it is.
DUPLICATE_ROW_CLASS = mark_safe(' class="possible-duplicate"')


def inbox_rows(page: Iterable[AppointmentRequest], flagged: set[int]) -> SafeString:
    """The inbox's rows: a flagged request (a possible duplicate) marked as one."""
    url = Reverser()  # AppointmentRequest.get_absolute_url, the URLconf read once
    return rows(
        INBOX_ROW,
        (
            {
                "row_class": DUPLICATE_ROW_CLASS if appt.pk in flagged else SafeString(""),
                "received": date_filter(appt.created_at, "Y-m-d H:i"),
                "url": url("intake:request", appt.pk),
                "name": appt.full_name,
                "flags": _flags(appt, appt.pk in flagged),
                "service": (appt.service.title if appt.service else "") or "Not sure yet",
                "badge": status_badge(appt),
                "assigned": (appt.assigned_to.display_name if appt.assigned_to else "") or "—",
            }
            for appt in page
        ),
    )
