"""`{% status_badge obj %}` (or `{% status_badge value label %}`): a status shown by
colour, icon and text together, so that it never depends on colour alone (WCAG 1.4.1).

A builtin (settings.TEMPLATES "builtins"), like common.template_dates. The tone of
each status value is here, in one place: a new status with no tone shows as neutral.
The icon is decorative (aria-hidden): the text says the status.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

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


@register.simple_tag
def status_badge(obj_or_value: Any, label: str | None = None, id: str = "") -> str:
    """A model with `status` and `get_status_display`, or a value and its label.

    `id="..."` names the text (not the icon), for a page or a test that reads it."""
    if label is None and hasattr(obj_or_value, "get_status_display"):
        value, label = str(obj_or_value.status), obj_or_value.get_status_display()
    else:
        value = str(obj_or_value)
        label = label if label is not None else value.replace("_", " ").capitalize()
    tone = tone_of(value)
    return format_html(
        '<span class="badge badge-{} status-{}"><span class="badge-icon" aria-hidden="true">'
        "{}</span> {}</span>",
        tone,
        value,
        ICONS[tone],
        format_html('<span id="{}">{}</span>', id, label) if id else label,
    )
