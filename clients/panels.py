"""Sections of the client page contributed by other apps.

An app names its function in settings.PATHWAYS_CLIENT_PANELS (a panel) or
PATHWAYS_TIMELINE_SOURCES (timeline entries); the client page renders the panels in
the list's order. This keeps `clients` free of imports from the apps that build on it
(referrals, consents, courses, measures…).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string

from accounts.access import AuthedRequest
from clients.models import Client
from common.plugins import plugins


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelProvider = Callable[[AuthedRequest, Client], Panel | None]


def panels_for(request: AuthedRequest, client: Client) -> list[Panel]:
    """The panels this user may see for `client`, in PATHWAYS_CLIENT_PANELS' order."""
    providers = plugins("PATHWAYS_CLIENT_PANELS")
    return [p for provider in providers if (p := provider(request, client)) is not None]


def render_panels(request: AuthedRequest, client: Client) -> list[str]:
    """Each panel rendered with `client` and its own context, both spread out and as
    `panel` (templates use either), and the request (for CSRF)."""
    return [
        render_to_string(
            panel.template,
            {**panel.context, "panel": panel.context, "client": client},
            request=request,
        )
        for panel in panels_for(request, client)
    ]


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
