"""The admin looks at a client's progress charts, then the practice outcomes report:
filters a date range, reads the KAP PHQ-9 figures with the response/remission
denominator (CMS159: baselines above 9), and downloads the CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from measures.tests.factories import day, give_dose, load_instruments, make_score
from pathways.testing import PASSWORD, make_client, make_course, make_user
from treatment.models import Modality

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def images_loaded(page: Any, count: int) -> None:
    page.wait_for_function(
        "n => { const imgs = [...document.querySelectorAll('figure.outcome-chart img')];"
        " return imgs.length === n && imgs.every(i => i.complete && i.naturalWidth > 0); }",
        arg=count,
    )


def test_the_admin_sees_progress_and_the_outcomes_report(page: Any, tmp_path: Path) -> None:
    load_instruments()
    make_user("boss", Role.ADMIN, is_staff=True)
    therapist = make_user("theo", Role.THERAPIST)
    clients = []
    # Clementine's baseline (8) is not above 9: in the mean change, not in the
    # response/remission denominator.
    for first, (baseline, latest) in zip(
        ["Marigold", "Peregrine", "Clementine"], [(20, 8), (16, 10), (8, 4)], strict=True
    ):
        c = make_client(first_name=first, last_name="Thistlewood", assigned_therapist=therapist)
        course = make_course(c, therapist, modality=Modality.KAP)
        give_dose(course, day(2026, 1, 20))
        make_score(c, "phq9", baseline, day(2026, 1, 5))
        make_score(c, "phq9", latest, day(2026, 3, 5))
        make_score(c, "gad7", 12, day(2026, 1, 5))
        clients.append(c)

    sign_in(page, "boss")
    page.goto(f"/staff/measures/outcomes/client/{clients[0].pk}/")
    expect(page.get_by_role("heading", name="Progress on the outcome measures")).to_be_visible()
    images_loaded(page, 2)  # GAD-7 and PHQ-9
    expect(page.locator("table.outcome-scores tbody tr")).to_have_count(3)

    page.goto("/staff/measures/outcomes/")
    page.get_by_label("From").fill("2026-01-01")
    page.get_by_label("To").fill("2026-12-31")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#range")).to_contain_text("2026-01-01")
    table = page.locator("#group-kap-phq9")
    expect(table).to_contain_text("KAP · PHQ-9")
    expect(table.locator("td.n")).to_have_text("3")
    expect(table.locator("td.change")).to_contain_text("-7.3")  # (-12 - 6 - 4) / 3
    expect(table.locator("td.denominator")).to_contain_text(
        "2 of 3 clients with baseline PHQ-9 > 9"
    )
    expect(table.locator("td.response")).to_contain_text("1 of 2 (50.0%)")  # 20 → 8
    expect(page.locator("table.outcome-included")).to_contain_text(
        "not in the response/remission denominator: baseline ≤ 9"
    )
    expect(page.locator("#change-phq9")).to_contain_text("Not defined for the PHQ-9")
    images_loaded(page, 1)
    expect(page.get_by_role("heading", name="Who is not, and why")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the de-identified CSV").click()
    path = tmp_path / "outcomes.csv"
    info.value.save_as(path)
    text = path.read_text()
    assert text.startswith("pseudonym,course,modality,instrument,")
    assert "KAP,PHQ-9" in text
    for name in ("Marigold", "Peregrine", "Clementine", "Thistlewood"):
        assert name not in text

    # A bad range is explained beside the field, not a 500.
    page.get_by_label("From").fill("2026-12-31")
    page.get_by_label("To").fill("2026-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_text("The end date must be on or after the start date.")).to_be_visible()
    # The fallback range may still show a chart: let every image finish loading (and be
    # audited) before the test's database is flushed, so no request is writing then.
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
