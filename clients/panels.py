"""Sections of the client page contributed by other apps.

An app registers a function in its AppConfig.ready(); the client page renders
each panel in order. This keeps `clients` free of imports from the apps that
build on it (referrals, consents, courses, measures…).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string

from accounts.access import AuthedRequest
from clients.models import Client


@dataclass
class Panel:
    order: int
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelProvider = Callable[[AuthedRequest, Client], Panel | None]
_panels: list[PanelProvider] = []


def register_panel(provider: PanelProvider) -> PanelProvider:
    if provider not in _panels:
        _panels.append(provider)
    return provider


def panels_for(request: AuthedRequest, client: Client) -> list[Panel]:
    found = [p for provider in _panels if (p := provider(request, client)) is not None]
    return sorted(found, key=lambda p: p.order)


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
_timeline: list[TimelineProvider] = []


def register_timeline(provider: TimelineProvider) -> TimelineProvider:
    if provider not in _timeline:
        _timeline.append(provider)
    return provider


def timeline_for(client: Client) -> list[TimelineEntry]:
    entries = [entry for provider in _timeline for entry in provider(client)]
    return sorted(entries, key=lambda e: e.at, reverse=True)
