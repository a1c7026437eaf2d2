"""The rules a request's values keep, shared by the forms and the services."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from common.dates import DateRange, plausible

# A link to where an accepted amendment lives: a page of this site behind sign-in,
# written as a path (never another site, never a scheme a browser would run).
LINK_PATTERN = re.compile(r"/staff/[A-Za-z0-9_\-./?=&#%]*")


def received_days(today: dt.date | None = None) -> DateRange:
    """A request is received on a day that has come: the plausible range, up to today."""
    today = today if today is not None else timezone.localdate()
    return DateRange(plausible(today).earliest, today)


def link_problem(link: str) -> str | None:
    """The message when `link` is not a path of a staff page of this site, else None."""
    if not link:
        return None
    if not LINK_PATTERN.fullmatch(link) or "//" in link or ".." in link:
        return "Enter the path of a page of this site, starting /staff/ (e.g. /staff/clients/12/)."
    return None
