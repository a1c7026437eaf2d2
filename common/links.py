"""Absolute links for e-mails and feeds: the one place that joins SITE_URL to a path.

Part of the shared library (issue 9): it imports no app.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def site_url(path: str) -> str:
    """SITE_URL + an absolute path, e.g. site_url("/staff/") -> "https://…/staff/"."""
    return str(settings.SITE_URL).rstrip("/") + path


def absolute_url(viewname: str, *args: Any) -> str:
    """The absolute URL of a named view, for a link that leaves the site (an e-mail)."""
    return site_url(reverse(viewname, args=args or None))
