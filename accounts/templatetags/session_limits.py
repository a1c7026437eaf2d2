"""`{% idle_warning %}`: the idle warning of templates/base.html, for a signed-in user
(static/js/idle-timeout.js shows it and counts down)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from accounts.session_store import screen_idle_seconds

register = template.Library()


@register.inclusion_tag("accounts/_idle_warning.html", takes_context=True)
def idle_warning(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "idle_seconds": screen_idle_seconds(),
        "warning_seconds": settings.SESSION_WARNING_MINUTES * 60,
        "warning_minutes": settings.SESSION_WARNING_MINUTES,
        "next": request.get_full_path() if request is not None else "",
    }
