"""The look (issue 11 §7, static/css/site.css): the staff area is wide enough for a
calendar and long tables, the public site keeps its reading width, the staff header
fits a phone, focus is always visible, and tables right-align their figures."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from pathways.testing import make_user, sign_in
from website.services import services_install_defaults

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _width(page: Any, selector: str) -> float:
    return float(page.evaluate(f"document.querySelector('{selector}').offsetWidth"))


def test_it_widens_the_staff_area_and_keeps_the_public_reading_width(page: Any) -> None:
    services_install_defaults()
    make_user("owner", Role.ADMIN, first_name="Olive")
    page.set_viewport_size({"width": 1600, "height": 900})

    page.goto("/")
    assert _width(page, "main") <= 62 * 16

    sign_in(page, "owner")
    page.goto(reverse("audit:report"))
    # About 1400 px: room for a week's calendar and the audit trail's eight columns.
    assert 1300 <= _width(page, "main") <= 1400
    figure = page.locator("table.list tbody td.num").first
    expect(figure).to_have_css("text-align", "right")
    expect(page.locator("table.list thead th").first).to_have_css("position", "sticky")


def test_it_fits_the_staff_header_on_a_phone(phone_page: Any) -> None:
    make_user("owner", Role.ADMIN, first_name="Olive")

    sign_in(phone_page, "owner")
    phone_page.goto(reverse("clients:list"))

    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"
    sign_out = phone_page.get_by_role("button", name="Sign out owner")
    expect(sign_out).to_be_in_viewport()


def test_it_shows_where_the_keyboard_is(page: Any) -> None:
    services_install_defaults()
    page.goto("/")

    page.keyboard.press("Tab")  # the skip link comes first, and shows itself
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_css("outline-style", "solid")
    expect(focused).to_have_css("outline-width", "3px")
