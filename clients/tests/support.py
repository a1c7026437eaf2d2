"""Helpers for tests that render the client page, and the practice of the
emergency-access (break-glass) tests.

The client page renders every panel and timeline source listed in settings
(PATHWAYS_CLIENT_PANELS, PATHWAYS_CLIENT_FACTS,
PATHWAYS_TIMELINE_SOURCES). `own_providers_only` keeps
those of `clients`' own record (intake.timeline), `treatment` and any app a test
names, for the length of one test, so these tests check the page they are about.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.test import Client as DjangoClient
from django.test import TestCase, override_settings

from pathways.testing import BaseTestCase, make_client, name_for_break_glass, reauthenticate

OWN_APPS = ("clients", "intake", "treatment")


def own_providers_only(test: TestCase, *extra_apps: str) -> None:
    """Limit the client page's panels and timeline to these apps, for one test."""
    apps = OWN_APPS + extra_apps

    def kept(name: str) -> list[Any]:
        # An entry is a dotted path, or a (tab, dotted path) pair (the client panels).
        return [
            entry
            for entry in getattr(settings, name)
            if (entry if isinstance(entry, str) else entry[1]).split(".")[0] in apps
        ]

    override = override_settings(
        PATHWAYS_CLIENT_PANELS=kept("PATHWAYS_CLIENT_PANELS"),
        PATHWAYS_CLIENT_FACTS=kept("PATHWAYS_CLIENT_FACTS"),
        PATHWAYS_TIMELINE_SOURCES=kept("PATHWAYS_TIMELINE_SOURCES"),
    )
    override.enable()
    test.addCleanup(override.disable)


OPEN = "/staff/clients/break-glass/"
REASON = "Crisis line called at 2 a.m.; her therapist is on leave."
DOB = dt.date(1984, 3, 9)


class BreakGlassTestCase(BaseTestCase):
    """Theo (`named`) may break the glass; Wren and Omar are Tess's clients, Ada Theo's."""

    def setUp(self) -> None:
        super().setUp()
        self.named = name_for_break_glass(self.therapist)
        # Tess's client: not in Theo's care.
        self.wren = make_client(
            first_name="Wren",
            last_name="Halloway",
            date_of_birth=DOB,
            assigned_therapist=self.therapist2,
        )
        self.own = make_client(
            first_name="Ada", last_name="Own", assigned_therapist=self.therapist
        )
        self.other = make_client(
            first_name="Omar", last_name="Other", assigned_therapist=self.therapist2
        )

    def as_user(self, user: Any, fresh: bool = True) -> DjangoClient:
        self.client.force_login(user)
        if fresh:
            reauthenticate(self.client)
        return self.client

    def open_for_wren(self, **changes: Any) -> Any:
        data = {"first_name": "wren", "last_name": " Halloway", "date_of_birth": "1984-03-09"}
        data["reason"] = REASON
        data.update(changes)
        return self.client.post(OPEN, data)
