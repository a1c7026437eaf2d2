"""Helpers for tests that render the client page.

The client page renders every panel and timeline source listed in settings
(PATHWAYS_CLIENT_PANELS, PATHWAYS_TIMELINE_SOURCES). `own_providers_only` keeps
those of `clients`' own record (intake.timeline), `treatment` and any app a test
names, for the length of one test, so these tests check the page they are about.
"""

from __future__ import annotations

from django.conf import settings
from django.test import TestCase, override_settings

OWN_APPS = ("clients", "intake", "treatment")


def own_providers_only(test: TestCase, *extra_apps: str) -> None:
    """Limit the client page's panels and timeline to these apps, for one test."""
    apps = OWN_APPS + extra_apps

    def kept(name: str) -> list[str]:
        return [path for path in getattr(settings, name) if path.split(".")[0] in apps]

    override = override_settings(
        PATHWAYS_CLIENT_PANELS=kept("PATHWAYS_CLIENT_PANELS"),
        PATHWAYS_TIMELINE_SOURCES=kept("PATHWAYS_TIMELINE_SOURCES"),
    )
    override.enable()
    test.addCleanup(override.disable)
