"""Sections of the partner-portal referral page contributed by other apps.

Like clients/panels.py, for the portal: an app registers a provider in its
AppConfig.ready(); the portal referral page renders each panel in order. A
provider gets the signed-in prescriber's request and a referral that prescriber
may see, and returns a Panel (or None to show nothing). It must show only what
belongs to that referral.
"""

from __future__ import annotations

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from accounts.access import AuthedRequest
from clients.panels import Panel
from partners.models import Referral

PortalPanelProvider = Callable[[AuthedRequest, Referral], Panel | None]
_portal_panels: list[PortalPanelProvider] = []


def register_portal_panel(provider: PortalPanelProvider) -> PortalPanelProvider:
    if provider not in _portal_panels:
        _portal_panels.append(provider)
    return provider


def portal_panels_for(request: AuthedRequest, referral: Referral) -> list[Panel]:
    found = [p for provider in _portal_panels if (p := provider(request, referral)) is not None]
    return sorted(found, key=lambda p: p.order)


def render_portal_panels(request: AuthedRequest, referral: Referral) -> list[SafeString]:
    """Each panel rendered with its own context plus `referral` (and the request, for CSRF)."""
    return [
        render_to_string(panel.template, {**panel.context, "referral": referral}, request=request)
        for panel in portal_panels_for(request, referral)
    ]
