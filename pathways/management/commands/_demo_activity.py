"""A morning at the demo practice, so that the audit report has a trail to show.

Nothing here writes to the audit trail itself: the demo's staff sign in and open
pages through the real views (Django's test client, in process), and the entries are
the ones those views write, in the hash chain like any other. One sign-in fails (a
mistyped password), a therapist opens the owner's report (a refusal), and the
admin views the practice report and exports it.
"""

from __future__ import annotations

from django.conf import settings
from django.test import Client as Browser
from django.urls import reverse

from clients.models import Client

# Addresses of the practice's office network (RFC 5737 documentation range).
FRONT_DESK = "192.0.2.21"
THERAPY_ROOM = "192.0.2.34"
OWNERS_OFFICE = "192.0.2.40"
PORTAL = "198.51.100.7"


def _host() -> str:
    """A host name the settings accept (ALLOWED_HOSTS may be a pattern or a wildcard)."""
    allowed = (settings.ALLOWED_HOSTS or ["127.0.0.1"])[0]
    return "localhost" if allowed == "*" else allowed.lstrip(".")


def _browser(address: str) -> Browser:
    return Browser(HTTP_HOST=_host(), REMOTE_ADDR=address)


def _sign_in(browser: Browser, username: str, password: str) -> None:
    data = {"username": username, "password": password}
    response = browser.post(reverse("accounts:login"), data)
    if response.status_code != 302:
        raise RuntimeError(f"the demo user {username} could not sign in")


def _visit(browser: Browser, *urls: str) -> None:
    for url in urls:
        browser.get(url)


def seed_activity(password: str) -> None:
    theo_clients = list(Client.objects.filter(assigned_therapist__username="therapist")[:3])

    # The intake coordinator mistypes the password once, then works the inbox.
    intake = _browser(FRONT_DESK)
    intake.post(reverse("accounts:login"), {"username": "intake", "password": "pathways-demo"})
    _sign_in(intake, "intake", password)
    _visit(intake, reverse("intake:inbox"), reverse("intake:messages"), reverse("clients:list"))

    # The therapist reads the day's schedule and their clients' records.
    theo = _browser(THERAPY_ROOM)
    _sign_in(theo, "therapist", password)
    _visit(theo, reverse("dashboard:home"), reverse("scheduling:calendar"))
    _visit(theo, *(client.get_absolute_url() for client in theo_clients))
    # The practice's outcomes report is the owner's: refused (403) and recorded.
    _visit(theo, reverse("outcomes:report"))
    theo.post(reverse("accounts:logout"))

    # The prescriber checks the partner portal.
    portal = _browser(PORTAL)
    _sign_in(portal, "prescriber", password)
    _visit(portal, "/partner/")

    # The owner reviews the outcomes and exports them (the password was typed at
    # sign-in a moment ago, so no second prompt), then opens the audit report.
    owner = _browser(OWNERS_OFFICE)
    _sign_in(owner, "admin", password)
    _visit(owner, reverse("outcomes:report"), reverse("outcomes:export"), reverse("audit:report"))
