"""Helpers for tests that render the client page.

The client page renders every panel and timeline provider other apps register.
Referrals, consents and prescriptions are being built beside these tests, and
their panels may not render yet (a template still to come); `own_providers_only`
keeps the providers of `clients` and `treatment` for the length of one test, so
these tests check the page they are about, whatever state the other apps are in.
"""

from __future__ import annotations

from unittest import mock

from django.test import TestCase

from clients import panels

OWN_APPS = ("clients", "treatment")


def _own(provider: object) -> bool:
    return getattr(provider, "__module__", "").split(".")[0] in OWN_APPS


def own_providers_only(test: TestCase) -> None:
    """Limit the client page's panels and timeline to this app and treatment."""
    for name in ("_panels", "_timeline"):
        kept = [p for p in getattr(panels, name) if _own(p)]
        patcher = mock.patch.object(panels, name, kept)
        patcher.start()
        test.addCleanup(patcher.stop)
