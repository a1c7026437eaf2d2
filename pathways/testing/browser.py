"""Helpers for the browser tests (Playwright driving Debian's chromium; see conftest.py).

`sign_in` signs a staff user in through the real sign-in page; `assert_accessible`
runs axe-core (bundled by axe-playwright-python) in the page and fails on any
violation of impact "serious" or "critical", naming each rule and the elements it
found, so that a page a client or clinician uses is checked as it is, not as a
template. `PHONE` is the viewport of the phone-width tests (an iPhone 12 to 15: 390 px).
"""

from __future__ import annotations

import os
from typing import Any

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# axe-core's impacts, in its own words; the bar is zero serious violations.
BLOCKING_IMPACTS = ("serious", "critical")

# axe-core and a screenshot leave empty style="" attributes behind; htmx copies style
# attributes when it settles a swap, which the CSP then reports (and the page fixture
# fails on). Each helper below puts the page back as it was.
DROP_EMPTY_STYLES = (
    "document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))"
)


def screenshot(target: Any, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot of a page (or an element) as `<PATHWAYS_SHOTS>/<name>.png`, only
    when PATHWAYS_SHOTS names a directory: a test run writes nothing outside the checkout
    unless asked (the closing notes' screenshots are taken with it set)."""
    folder = os.environ.get("PATHWAYS_SHOTS")
    if not folder:
        return
    options: dict[str, Any] = {"path": os.path.join(folder, f"{name}.png")}
    if full_page and hasattr(target, "goto"):  # a page, not an element
        options["full_page"] = True
    target.screenshot(**options)
    page = target if hasattr(target, "goto") else target.page
    page.evaluate(DROP_EMPTY_STYLES)


def sign_in(page: Any, username: str, password: str | None = None) -> None:
    """Sign in through the staff sign-in page and wait for the signed-in header."""
    from playwright.sync_api import expect

    from pathways.testing.builders import PASSWORD

    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def accessibility_violations(page: Any) -> list[str]:
    """The serious and critical axe-core violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    page.evaluate(DROP_EMPTY_STYLES)
    found: list[str] = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in BLOCKING_IMPACTS:
            continue
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
        found.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
        )
    return found


def assert_accessible(page: Any) -> None:
    """Fail with the list of serious or critical axe-core violations, if any."""
    violations = accessibility_violations(page)
    if violations:
        raise AssertionError(f"axe-core on {page.url}:\n" + "\n".join(violations))
