"""`{% status_badge obj %}` (or `{% status_badge value label %}`): a status shown by
colour, icon and text together, so that it never depends on colour alone (WCAG 1.4.1).

A builtin (settings.TEMPLATES "builtins"), like common.template_dates. The tone of
each status value is here, in one place: a new status with no tone shows as neutral.
The icon is decorative (aria-hidden): the text says the status.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

# Tones, by the meaning of the status for the person reading it.
DONE = "done"  # finished as hoped
ACTIVE = "active"  # under way, needs attention now
WAITING = "waiting"  # planned, sent, waiting on someone
STOPPED = "stopped"  # ended otherwise: cancelled, declined, revoked
ALERT = "alert"  # something is wrong or late

TONES: dict[str, str] = {
    # appointments and sessions
    "scheduled": WAITING,
    "planned": WAITING,
    "arrived": ACTIVE,
    "in_session": ACTIVE,
    "in_progress": ACTIVE,
    "completed": DONE,
    "cancelled": STOPPED,
    "no_show": ALERT,
    # prescriptions and courses
    "active": ACTIVE,
    "superseded": STOPPED,
    "discontinued": STOPPED,
    "stopped": STOPPED,
    # requests, referrals, amendments
    "new": ALERT,
    "contacted": WAITING,
    "converted": DONE,
    "declined": STOPPED,
    "spam": STOPPED,
    "sent": WAITING,
    "needs_info": ALERT,
    "info_provided": WAITING,
    "eligible": DONE,
    "not_eligible": STOPPED,
    "closed": STOPPED,
    "received": WAITING,
    "extended": WAITING,
    "accepted": DONE,
    "denied": STOPPED,
    # clients, consents, links, alerts
    "prospective": WAITING,
    "on_hold": WAITING,
    "discharged": DONE,
    "signed": DONE,
    "in_force": DONE,
    "merged": STOPPED,
    "pending": WAITING,
    "expired": STOPPED,
    "revoked": STOPPED,
    "overdue": ALERT,
    "due": WAITING,
    "open": ALERT,
    "acknowledged": DONE,
}

ICONS = {DONE: "✓", ACTIVE: "●", WAITING: "◷", STOPPED: "✕", ALERT: "!"}


def tone_of(value: str) -> str:
    return TONES.get(value, WAITING)


# A model's badge, kept per (model, status, id, language): it is the same text each
# time, and a list of 25 referrals or a calendar week of 60 appointments built it afresh
# for each row, Django's `get_status_display` flattening the field's choices every time
# (5-7% of the partner portal's home and the calendar week, issue 14). A value given
# with its label is not kept: the label may come from data.
_MODEL_BADGES: dict[tuple[Any, ...], SafeString] = {}
_KEEP = 1024  # model x status x id: a few hundred at most; emptied when full


@register.simple_tag
def status_badge(obj_or_value: Any, label: str | None = None, id: str = "") -> str:
    """A model with `status` and `get_status_display`, or a value and its label.

    `id="..."` names the text (not the icon), for a page or a test that reads it."""
    if label is None and hasattr(obj_or_value, "get_status_display"):
        key = (type(obj_or_value), obj_or_value.status, id, get_language())
        try:
            return _MODEL_BADGES[key]
        except (KeyError, TypeError):  # TypeError: a status that cannot be a key
            pass
        html = _badge(str(obj_or_value.status), obj_or_value.get_status_display(), id)
        if len(_MODEL_BADGES) >= _KEEP:
            _MODEL_BADGES.clear()
        with suppress(TypeError):
            _MODEL_BADGES[key] = html
        return html
    value = str(obj_or_value)
    label = label if label is not None else value.replace("_", " ").capitalize()
    return _badge(value, label, id)


def _badge(value: str, label: str, id: str) -> SafeString:
    tone = tone_of(value)
    return format_html(
        '<span class="badge badge-{} status-{}"><span class="badge-icon" aria-hidden="true">'
        "{}</span> {}</span>",
        tone,
        value,
        ICONS[tone],
        format_html('<span id="{}">{}</span>', id, label) if id else label,
    )
