"""The accessibility sweep (issue 11 §7): axe-core finds no serious or critical
violation on any page a client sees (at a desktop's and a phone's width) nor on the
main staff pages (at a desktop's width), each opened as it really renders, with data.

A page whose violation lives in a template another part of issue 11 is rewriting is
marked `xfail(strict=True)` with the template and the rule: it passes the day the
template is fixed, and the strict mark then says to drop the mark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.models import Role, User
from consents.services import consent_documents_install_defaults
from measures.alerts.safety import alert_raise_for_response
from measures.services import link_send
from measures.tests.factories import load_instruments, make_instrument, make_response
from measures.tests.support import ON_LINK
from pathways.testing import (
    DESKTOP,
    PHONE,
    assert_accessible,
    make_client,
    make_consent_request,
    make_partner,
    make_prescriber,
    make_prescription,
    make_referral,
    make_request,
    make_user,
    sign_in,
)
from website.default_services import DEFAULT_SERVICES
from website.services import services_install_defaults

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _therapist() -> User:
    return make_user("theo", Role.THERAPIST, first_name="Theo", last_name="Therapist")


def _client_of(therapist: User) -> Any:
    return make_client(
        first_name="Marisol",
        last_name="Vantongeren",
        email="marisol@example.com",
        assigned_therapist=therapist,
    )


# --- Pages a client (or anyone) sees ---------------------------------------------
# Each builds what its page needs and answers the path to open.


def _home() -> str:
    services_install_defaults()
    return "/"


def _service(slug: str) -> Callable[[], str]:
    def build() -> str:
        services_install_defaults()
        return reverse("website:service", args=[slug])

    return build


def _fit() -> str:
    services_install_defaults()
    return reverse("website:fit")


def _request_form() -> str:
    services_install_defaults()
    return reverse("website:request")


def _contact() -> str:
    return reverse("website:contact")


def _request_received() -> str:
    return reverse("website:request_received")


def _consent_link() -> str:
    consent_documents_install_defaults(actor=Actor.system())
    therapist = _therapist()
    _, token = make_consent_request(_client_of(therapist), therapist)
    return reverse("consent_sign:sign", args=[token])


def _measure_link() -> str:
    load_instruments()
    client = _client_of(_therapist())
    _, token = link_send(actor=Actor.system(), client=client, codes=["phq9", "gad7"])
    return reverse("measure_answer:answer", args=[token])


SERVICE_SLUGS = [str(service["slug"]) for service in DEFAULT_SERVICES]

PUBLIC_PAGES: list[Any] = [
    pytest.param(_home, id="home"),
    *[pytest.param(_service(slug), id=f"service-{slug}") for slug in SERVICE_SLUGS],
    pytest.param(_fit, id="which-service-fits-me"),
    pytest.param(_request_form, id="request-form"),
    pytest.param(_contact, id="contact"),
    pytest.param(_request_received, id="request-received"),
    pytest.param(_consent_link, id="consent-link"),
    pytest.param(_measure_link, id="measure-link"),
]


def _check(page: Any, path: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path} answered {response.status}"
    expect(page.locator("h1")).to_be_visible()
    # No template syntax shows as text (a Django {# comment #} spans one line only).
    for syntax in ("{#", "{%", "{{"):
        expect(page.locator("body")).not_to_contain_text(syntax)
    assert_accessible(page)


@pytest.mark.parametrize("build", PUBLIC_PAGES)
def test_it_finds_no_serious_violation_on_a_public_page_at_desktop(
    page: Any, build: Callable[[], str]
) -> None:
    _check(page, build())


@pytest.mark.parametrize("build", PUBLIC_PAGES)
def test_it_finds_no_serious_violation_on_a_public_page_on_a_phone(
    phone_page: Any, build: Callable[[], str]
) -> None:
    _check(phone_page, build())
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"


# The error pages answer 403 and 404, which the browser logs as a console error; the
# `page` fixture fails a test on any console error, so these open a context of their own.
VIEWPORTS = [
    pytest.param({"viewport": DESKTOP}, id="desktop"),
    pytest.param({"viewport": PHONE, "is_mobile": True, "has_touch": True}, id="phone"),
]


@contextmanager
def _error_page(browser: Any, live_server: Any, options: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("options", VIEWPORTS)
def test_it_finds_no_serious_violation_on_the_not_found_page(
    browser: Any, live_server: Any, options: dict[str, Any]
) -> None:
    with _error_page(browser, live_server, options) as the_page:
        response = the_page.goto("/no-such-page/")
        assert response is not None
        assert response.status == 404
        expect(the_page.get_by_role("heading", level=1)).to_have_text("Page not found")
        assert_accessible(the_page)


@pytest.mark.parametrize("options", VIEWPORTS)
def test_it_finds_no_serious_violation_on_the_forbidden_page(
    browser: Any, live_server: Any, options: dict[str, Any]
) -> None:
    # A therapist asking for the owner's audit report gets the styled 403 page.
    _therapist()
    with _error_page(browser, live_server, options) as the_page:
        sign_in(the_page, "theo")
        response = the_page.goto(reverse("audit:report"))
        assert response is not None
        assert response.status == 403
        expect(the_page.get_by_role("heading", level=1)).to_have_text(
            "This page is not open to you"
        )
        assert_accessible(the_page)


# --- The main staff pages, at a desktop's width ------------------------------------


def _staff_world() -> dict[str, Any]:
    """A practice with one client referred, prescribed and flagged by a screening."""
    make_user("owner", Role.ADMIN, first_name="Olive", last_name="Owner")
    therapist = _therapist()
    client = _client_of(therapist)
    partner = make_partner("Blue Ridge Psychiatry")
    prescriber = make_prescriber("priya", partner, first_name="Priya")
    referral = make_referral(client, partner, therapist)
    rx = make_prescription(referral, prescriber)
    make_request()
    screening = make_response(client, make_instrument(), q9=2)
    alert_raise_for_response(actor=ON_LINK, response=screening)
    return {"client": client, "referral": referral, "rx": rx}


STAFF_PAGES: list[Any] = [
    pytest.param("theo", lambda w: reverse("clients:list"), id="client-list"),
    pytest.param("theo", lambda w: reverse("intake:inbox"), id="inbox"),
    pytest.param("owner", lambda w: reverse("audit:report"), id="audit-report"),
    pytest.param("owner", lambda w: reverse("outcomes:report"), id="outcomes-report"),
    pytest.param("theo", lambda w: reverse("alerts:list"), id="alerts-list"),
    pytest.param("theo", lambda w: w["referral"].get_absolute_url(), id="referral"),
    pytest.param("theo", lambda w: reverse("prescriptions:detail", args=[w["rx"].pk]), id="rx"),
]


@pytest.mark.parametrize(("username", "path_of"), STAFF_PAGES)
def test_it_finds_no_serious_violation_on_a_staff_page(
    page: Any, username: str, path_of: Callable[[dict[str, Any]], str]
) -> None:
    world = _staff_world()
    sign_in(page, username)
    _check(page, path_of(world))
