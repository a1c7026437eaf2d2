"""The staff area's navigation (templates/staff_base.html), written in Python.

Why: through the template the navigation cost some 12,000 bytecodes on every staff and
partner page at 10,000 clients (`make bench-work`, issue 14): each of its dozen
`{% if user.role == … %}` resolves `user` through its lazy wrapper, and each `{% url %}`
reads the URLconf again. Here the role is read once and the URLs come from one
`Reverser`. The markup is the template's, character for character:
pathways/tests/test_staff_nav.py renders the former block beside it for every role, on
its own page and another, with and without counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from common.reversing import Reverser
from common.template_widgets import csrf_input

CLINIC = ("admin", "intake", "therapist")
FRONT_DESK = ("admin", "intake")

# A count beside a link: (the count's key, the words after it for a screen reader, and
# the extra class of the badge).
_COUNT = (
    '<span class="nav-count{alert}"><span class="visually-hidden">: </span>{n}'
    '<span class="visually-hidden"> {words}</span></span>'
)


def _count(counts: Mapping[str, Any] | None, key: str, words: str, alert: bool = False) -> str:
    # A count the user is not given (a therapist's requests) is left out, as the
    # template's lookup of a missing key wrote nothing.
    n = counts.get(key) if counts is not None else None
    if not n:
        return ""
    return _COUNT.format(alert=" nav-count-alert" if alert else "", n=escape(n), words=words)


def _current(here: str | None, name: str) -> str:
    return ' aria-current="page"' if here == name else ""


def staff_nav(
    *,
    user: Any,
    here: str | None,
    counts: Mapping[str, Any] | None,
    csrf_token: Any,
    current_app: str | None,
) -> SafeString:
    """The navigation's items for `user` on the page named `here` (its view name)."""
    if not user.is_authenticated:
        return mark_safe("\n\n")
    reverser = Reverser(current_app)

    def url(name: str) -> str:
        # Escaped as `{% url %}` wrote it: a script prefix may hold "&" or "'".
        return escape(reverser(name))

    role = user.role
    out = ["\n", "\n  "]  # the text after `{% if user.is_authenticated %}`, for any role
    if role in CLINIC:
        out.append(
            "\n  \n  "
            f'<li><a href="{url("dashboard:home")}"{_current(here, "dashboard:home")}>Today'
            f"{_count(counts, 'today', 'to do')}</a></li>\n  "
            f'<li><a href="{url("intake:inbox")}">Requests{_count(counts, "requests", "new")}'
            "</a></li>\n  "
            f'<li><a href="{url("clients:list")}">Clients</a></li>\n  '
            f'<li><a href="{url("scheduling:calendar")}">Schedule</a></li>\n  '
            f'<li><a href="{url("alerts:list")}">Safety alerts'
            f"{_count(counts, 'alerts', 'open', alert=True)}</a></li>\n  "
        )
    out.append("\n  ")
    if role in FRONT_DESK:
        out.append(
            f'<li><a href="{url("intake:messages")}">Messages'
            f"{_count(counts, 'messages', 'open')}</a></li>"
        )
    out.append("\n  ")
    if role == "prescriber":
        out.append(
            "\n  \n  "
            f'<li><a href="{url("portal:home")}"{_current(here, "portal:home")}>Referrals'
            "</a></li>\n  "
            f'<li><a href="{url("portal_rx:list")}"{_current(here, "portal_rx:list")}>'
            "Prescriptions</a></li>\n  "
            f'<li><a href="{url("portal_dosing:list")}"{_current(here, "portal_dosing:list")}>'
            "Sessions</a></li>\n  \n  "
        )
    out.append("\n  ")
    if role == "admin":
        out.append(f'<li><a href="{url("outcomes:report")}">Outcomes</a></li>')
    out.append("\n  ")
    if role == "admin":
        out.append(f'<li><a href="{url("audit:report")}">Audit</a></li>')
    out.append("\n  ")
    if role == "admin" and user.is_staff:
        out.append(f'<li><a href="{url("admin:index")}">Admin</a></li>')
    out.append("\n  \n  ")
    if role != "prescriber":
        out.append(f'<li><a href="{url("accounts:account:home")}">Your account</a></li>')
    out.append(
        f'\n  <li><form method="post" action="{url("accounts:logout")}" class="inline">'
        f"{csrf_input(csrf_token)}\n"
        f'    <button type="submit" class="linklike">Sign out {escape(user.get_username())}'
        "</button></form></li>\n\n"
    )
    # Every value was escaped as it went in; the rest is the code's markup.
    return mark_safe("".join(out))  # noqa: S308
