"""Sections of the partner-portal referral page contributed by other apps.

Like clients/panels.py, for the portal: an app names a provider in
settings.PATHWAYS_PORTAL_PANELS; the portal referral page renders the panels in the
list's order. A
provider gets the signed-in prescriber's request and a referral that prescriber
may see, and returns a Panel (or None to show nothing). It must show only what
belongs to that referral. No panel is asked for a referral whose client's release
of information to the partner is not in force.
"""

from __future__ import annotations

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from accounts.access import AuthedRequest
from clients.panels import Panel
from common.plugins import plugins
from consents.queries import release_in_force
from partners.access import RELEASE_ID
from partners.models import Referral

PortalPanelProvider = Callable[[AuthedRequest, Referral], Panel | None]


def _shared_now(referral: Referral) -> bool:
    # A referral read through partners.access carries its release; else ask.
    if getattr(referral, RELEASE_ID, None) is not None:
        return True
    return release_in_force(referral.client, referral.partner_id) is not None


def portal_panels_for(request: AuthedRequest, referral: Referral) -> list[Panel]:
    if not _shared_now(referral):
        return []
    providers = plugins("PATHWAYS_PORTAL_PANELS")
    return [p for provider in providers if (p := provider(request, referral)) is not None]


def render_portal_panels(request: AuthedRequest, referral: Referral) -> list[SafeString]:
    """Each panel rendered with its own context plus `referral` (and the request, for CSRF)."""
    return [
        render_to_string(panel.template, {**panel.context, "referral": referral}, request=request)
        for panel in portal_panels_for(request, referral)
    ]
