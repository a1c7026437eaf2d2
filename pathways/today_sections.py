"""The sections of the Today page below the appointments, written in Python.

Why: through the template each section cost some 4,000 bytecodes with no row, and each
row some 2,000 more through an `{% include %}` of pathways/_today_<key>.html: the largest
part of the Today page left (`make bench-work`, issue 14). The markup is what the
template's loop and the row templates wrote, character for character
(pathways/tests/test_today_sections.py renders the former templates beside it for every
section, with rows and without, more than shown and not, names that need escaping).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from common.reversing import Reverser
from common.rows import day, label, value
from common.template_badges import status_badge
from common.template_dates import date as date_filter
from pathways.today import Section

SECTION = """
<section class="today-section" id="today-{key}" aria-labelledby="today-{key}-title">
  <h2 id="today-{key}-title">{title} <span class="today-count">{count}</span></h2>
  {body}
</section>
"""
LIST = """
  <ul class="today-list">
    {items}
  </ul>
  {more}
  """
EMPTY = """
  <p class="today-empty">{empty}</p>
  """

# A row's template ended with a newline, which its `{% include %}` wrote before `</li>`.
ITEM = "\n    <li>{}\n</li>\n    "


def sections_html(sections: Iterable[Section]) -> SafeString:
    """Every section but the safety alerts (shown above the appointments)."""
    out = []
    for section in sections:
        if section.key == "alerts":
            continue
        if section.rows:
            body = LIST.format(items=_items(section), more=_more(section))
        else:
            body = EMPTY.format(empty=value(section.empty))
        out.append(
            SECTION.format(
                key=value(section.key),
                title=value(section.title),
                count=value(section.count),
                body=body,
            )
        )
    # Every value was escaped as it went in; the rest is the code's markup.
    return mark_safe("".join(out))  # noqa: S308


def _more(section: Section) -> str:
    more_url = value(section.more_url)
    if section.more:
        link = f' <a href="{more_url}">See all</a>' if section.more_url else ""
        shown = f"Showing the first {len(section.rows)} of {value(section.count)}."
        return f'<p class="muted">{shown}{link}</p>\n  '
    if section.more_url:
        return f'<p><a href="{more_url}">See all</a></p>'
    return ""


def _items(section: Section) -> str:
    write = WRITERS[section.key]
    url = Reverser()
    return "".join(ITEM.format(write(row, url)) for row in section.rows)


def _link(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{text}</a>'


def _note(row: Any, url: Reverser) -> str:
    session = row.session
    try:
        record = session.dosing_record
    except ObjectDoesNotExist:  # no record: the template's lookup wrote nothing
        record = None
    href = url("dosing:record", record.pk) if record else url("treatment:session", session.pk)
    started = date_filter(session.started_at, "Y-m-d") or session.planned_date or ""
    return (
        f"{_link(href, value(session.course.client.full_name))}: dosing session "
        f"{value(started)}, note by {value(row.author.display_name)}, last saved "
        f"{value(date_filter(row.updated_at, 'Y-m-d H:i'))}. "
        f"{status_badge('pending', 'Not signed')}"
    )


def _consent(row: Any, url: Reverser) -> str:
    return (
        f"{_link(url('clients:detail', row.client_id), value(row.client.full_name))}: "
        f"{value(row.document.title)}, sent {day(row.created_at)}, link open until "
        f"{value(date_filter(row.expires_at, 'Y-m-d H:i'))}. "
        f"{status_badge('sent', 'Not signed')}"
    )


def _measure(row: Any, url: Reverser) -> str:
    link = row.link
    if row.state == "overdue":
        until = f"expired unanswered {day(link.expires_at)}"
        badge = status_badge("overdue", "Overdue")
    else:
        until = f"open until {day(link.expires_at)}"
        badge = status_badge("due", "Due")
    return (
        f"{_link(url('measures:client', link.client_id), value(link.client.full_name))}: "
        f"{value(label(link, 'reason'))}, sent {day(link.created_at)}, {until}. {badge}"
    )


def _referral(row: Any, url: Reverser) -> str:
    return (
        f"{_link(url('partners:referral', row.pk), value(row.client.full_name))}: referral to "
        f"{value(row.partner.name)}, updated {day(row.updated_at)}. {status_badge(row)}"
    )


def _request(row: Any, url: Reverser) -> str:
    name = f"{value(row.first_name)} {value(row.last_name)}"
    service = f": {value(row.service.title)}" if row.service else ""
    return (
        f"{_link(url('intake:request', row.pk), name)}{service}, received "
        f"{value(date_filter(row.created_at, 'Y-m-d H:i'))}. {status_badge(row)}"
    )


def _message(row: Any, url: Reverser) -> str:
    return (
        f"{_link(url('intake:message', row.pk), value(row.name))}: received "
        f"{value(date_filter(row.created_at, 'Y-m-d H:i'))}. {status_badge('open', 'Open')}"
    )


# Each section's row, by the section's key (pathways.today.today_for).
WRITERS: dict[str, Callable[[Any, Reverser], str]] = {
    "notes": _note,
    "consents": _consent,
    "measures": _measure,
    "referrals": _referral,
    "requests": _request,
    "messages": _message,
}
