"""Sections of the client page contributed by other apps, and the chart's tabs.

An app names its function in settings.PATHWAYS_CLIENT_PANELS (a panel, with the tab
it belongs on), PATHWAYS_CLIENT_FACTS (a fact in the chart's header) or
PATHWAYS_TIMELINE_SOURCES (timeline entries); the client page renders them in the
list's order. This keeps `clients` free of imports from the apps that build on it
(referrals, consents, courses, measures…).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

from accounts.access import AuthedRequest
from clients.models import Client
from common.plugins import plugins, tabbed_plugins

# The chart's tabs, in the order of the tab bar: (slug in the URL, label). The slug
# names a kind of record, never anything about the client.
TABS: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("appointments", "Appointments"),
    ("course", "Course and sessions"),
    ("measures", "Measures"),
    ("consents", "Consents and releases"),
    ("referrals", "Referrals and prescriptions"),
    ("notes", "Notes"),
    ("timeline", "Timeline"),
)
TAB_LABELS = dict(TABS)
OVERVIEW = "overview"


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelProvider = Callable[[AuthedRequest, Client], Panel | None]


def providers_for(tab: str | None) -> list[PanelProvider]:
    """The panel functions listed for `tab` (every tab's, each once, for None), in
    PATHWAYS_CLIENT_PANELS' order. An entry is a (tab, dotted path) pair; a bare path
    is shown on the overview."""
    listed = tabbed_plugins("PATHWAYS_CLIENT_PANELS", default=OVERVIEW)
    unknown = sorted({name for name, _ in listed} - set(TAB_LABELS))
    if unknown:
        raise ImproperlyConfigured(f"PATHWAYS_CLIENT_PANELS names unknown tabs: {unknown}")
    if tab is None:
        return list(dict.fromkeys(provider for _, provider in listed))
    return [provider for name, provider in listed if name == tab]


def panels_for(request: AuthedRequest, client: Client, tab: str | None = None) -> list[Panel]:
    """The panels of `tab` (of the whole chart, for None) this user may see for
    `client`, in the setting's order."""
    return [p for provider in providers_for(tab) if (p := provider(request, client)) is not None]


def render_panels(request: AuthedRequest, client: Client, tab: str) -> list[str]:
    """Each panel rendered with `client` and its own context, both spread out and as
    `panel` (templates use either), and the request (for CSRF)."""
    return [
        render_to_string(
            panel.template,
            {**panel.context, "panel": panel.context, "client": client},
            request=request,
        )
        for panel in panels_for(request, client, tab)
    ]


# --- The chart's header ---------------------------------------------------------


@dataclass(frozen=True)
class HeaderFact:
    """One fact in the header of the client chart ("Course", "KAP course 1 · …").

    `value` is short and holds no free text; `url` (optional) leads to the detail;
    `flagged` draws it as needing attention (an open safety alert)."""

    label: str
    value: str
    url: str = ""
    flagged: bool = False


FactProvider = Callable[[AuthedRequest, Client], list[HeaderFact]]


def header_facts(request: AuthedRequest, client: Client) -> list[HeaderFact]:
    """The facts other apps add to the header, in PATHWAYS_CLIENT_FACTS' order."""
    return [
        fact for source in plugins("PATHWAYS_CLIENT_FACTS") for fact in source(request, client)
    ]


def age_on(born: dt.date | None, on: dt.date) -> int | None:
    """Whole years from `born` to `on` (None when the birth date is not recorded). A
    29 February birthday comes on 1 March in a common year."""
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# --- The timeline -------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the client timeline. `text` is short and holds no free text."""

    at: datetime
    kind: str
    text: str
    url: str = ""


TimelineProvider = Callable[[Client], list[TimelineEntry]]


def timeline_for(client: Client) -> list[TimelineEntry]:
    sources = plugins("PATHWAYS_TIMELINE_SOURCES")
    entries = [entry for source in sources for entry in source(client)]
    return sorted(entries, key=lambda e: e.at, reverse=True)
