"""The client's questionnaire in a browser (issue 11 §5): one question per screen on a
390 px phone, used with the keyboard only (Tab, arrows to choose, Enter for the next
question); all questions on one page on a desktop, with the choice to switch; live
progress; an error summary that lists and links each unanswered question and takes
focus; the thank-you and link-closed pages. axe-core on every page, at both widths."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from measures import services
from measures.models import Response, SafetyAlert
from measures.tests.support import SYSTEM
from pathways.testing import assert_accessible, make_client, make_user
from pathways.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _link() -> str:
    call_command("load_instruments", stdout=StringIO())
    therapist = make_user("theo", "therapist", first_name="Theo")
    client = make_client(assigned_therapist=therapist)
    _, token = services.link_send(actor=SYSTEM, client=client, codes=["phq9", "gad7"])
    return f"/measures/{token}/"


def _visible_questions(page: Any) -> Any:
    return page.locator("fieldset[data-step]:visible")


def _tab_to(page: Any, test: str, limit: int = 40) -> None:
    """Press Tab until the focused element passes `test` (a JS expression of `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => Boolean({test}))(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {test}")


def _shows_the_link_closed(page: Any, link: str, width: str) -> None:
    # In a tab of its own: the browser reports the 410 status as a console error,
    # which the page fixture counts as a failure of the page it watches.
    closed = page.context.new_page()
    closed.goto(link)
    expect(closed.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    assert_accessible(closed)
    screenshot(closed, f"client-measure-link-closed-{width}")
    closed.close()


def test_it_asks_one_question_per_screen_on_a_phone_with_the_keyboard_only(
    phone_page: Any,
) -> None:
    page = phone_page
    link = _link()
    page.goto(link)

    status = page.locator("#step-status")
    expect(status).to_have_text("Question 1 of 16")
    expect(_visible_questions(page)).to_have_count(1)
    expect(page.get_by_role("button", name="One question at a time")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_role("button", name="Submit my answers")).to_be_hidden()
    assert_accessible(page)
    screenshot(page, "client-measure-phone-one")

    # Keyboard only: Tab to the first answer, an arrow chooses, Enter goes on.
    _tab_to(page, "el.type === 'radio'")
    assert page.evaluate("document.activeElement.id") == "id_phq9-1_0"
    for position in range(1, 9):  # PHQ-9 items 1–8: "Several days"
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(status).to_have_text(f"Question {position + 1} of 16")
        expect(page.locator("#progress-count")).to_have_text(
            f"{position} of 16 questions answered"
        )
        expect(page.locator("#progress")).to_have_attribute("value", str(position))
    # Question 9 (PHQ-9 item 9) is left; Next with the keyboard, then Back.
    expect(page.locator(f"#{page.evaluate('document.activeElement.id')}")).to_be_focused()
    page.get_by_role("button", name="Next").click()
    expect(status).to_have_text("One more question (optional)")
    page.get_by_role("button", name="Back").click()
    expect(status).to_have_text("Question 9 of 16")
    expect(page.locator("#id_phq9-9_0")).to_be_focused()
    page.keyboard.press("Tab")  # out of the radio group
    page.keyboard.press("Tab")  # past Back
    expect(page.get_by_role("button", name="Next")).to_be_focused()
    page.keyboard.press("Enter")
    expect(status).to_have_text("One more question (optional)")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    # GAD-7: answer items 1–6, leave item 7 (question 16), then Enter on the last.
    page.get_by_role("button", name="Next").click()
    for position in range(10, 16):
        expect(status).to_have_text(f"Question {position} of 16")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
    expect(status).to_have_text("Question 16 of 16")
    expect(page.get_by_role("button", name="Submit my answers")).to_be_visible()
    page.keyboard.press("Enter")  # on the last question: submit

    # The server refuses: the summary lists and links the two questions, with focus.
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("2 questions still need an answer")
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_contain_text("Question 9 of 16")
    expect(links.nth(1)).to_contain_text("Question 16 of 16")
    expect(page.locator("#progress-count")).to_have_text("14 of 16 questions answered")
    assert_accessible(page)
    screenshot(page, "client-measure-phone-summary")

    page.keyboard.press("Tab")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Question 9 of 16")
    expect(page.locator("#id_phq9-9_0")).to_be_focused()
    page.keyboard.press("Space")  # "Not at all"
    expect(page.locator("#id_phq9-9_0")).to_be_checked()
    page.locator("#error-summary").get_by_role("link", name=re.compile("Question 16")).click()
    expect(status).to_have_text("Question 16 of 16")
    page.keyboard.press("Space")
    expect(page.locator("#progress-count")).to_have_text("16 of 16 questions answered")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you, your answers have been sent"
    )
    assert Response.objects.count() == 2
    assert_accessible(page)
    screenshot(page, "client-measure-thanks-phone")

    _shows_the_link_closed(page, link, "phone")


def test_it_shows_all_questions_on_a_desktop_with_the_choice_to_switch(page: Any) -> None:
    link = _link()
    page.goto(link)

    expect(_visible_questions(page)).to_have_count(17)  # 16 items and the optional one
    all_button = page.get_by_role("button", name="All questions")
    expect(all_button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#step-nav")).to_be_hidden()
    assert_accessible(page)
    screenshot(page, "client-measure-desktop")

    # The selected answer is the whole label, with a border and a check mark.
    choice = page.locator("label[for=id_phq9-1_2]")
    choice.click()
    expect(page.locator("#id_phq9-1_2")).to_be_checked()
    expect(choice.locator(".choice-check")).to_be_visible()
    expect(page.locator("label[for=id_phq9-1_1] .choice-check")).to_be_hidden()
    expect(page.locator("#progress-count")).to_have_text("1 of 16 questions answered")
    page.locator("#id_phq9-1_2").scroll_into_view_if_needed()
    screenshot(page.locator("#id_phq9-1_group"), "client-measure-choice")

    # One question at a time on a desktop too, and back.
    page.get_by_role("button", name="One question at a time").click()
    expect(_visible_questions(page)).to_have_count(1)
    expect(page.locator("#step-status")).to_have_text("Question 2 of 16")
    page.get_by_role("button", name="All questions").click()
    expect(_visible_questions(page)).to_have_count(17)

    page.get_by_role("button", name="Submit my answers").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(15)
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile("Question 2 of 16")).click()
    expect(page.locator("#id_phq9-2_0")).to_be_focused()

    for group in page.locator("fieldset[data-scored]").all():
        group.locator("label.choice").first.click()
    expect(page.locator("#progress-count")).to_have_text("16 of 16 questions answered")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you, your answers have been sent"
    )
    assert_accessible(page)
    screenshot(page, "client-measure-thanks-desktop")

    _shows_the_link_closed(page, link, "desktop")


def test_a_submit_stopped_in_the_browser_still_raises_the_item_9_alert(page: Any) -> None:
    """The summary shows without a page load, but the answers reach the server all the
    same: item 9 answered above 0 raises its alert and the crisis lines come first."""
    link = _link()
    page.goto(link)

    page.locator("#id_phq9-9_group").get_by_label("Nearly every day", exact=True).check()
    page.get_by_role("button", name="Submit my answers").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("15 questions still need an answer")
    expect(summary.get_by_role("link")).to_have_count(15)
    expect(page.locator("#id_phq9-1_error")).to_have_text(
        "Answer this question before you submit."
    )
    crisis = page.locator("#crisis-resources")
    expect(crisis).to_be_visible()
    expect(page.locator("main h1, main h2").first).to_have_text("Help is here, right now")
    alert = SafetyAlert.objects.get()
    assert (alert.item, alert.value) == (9, 3)
    assert not Response.objects.exists()
    assert_accessible(page)
    screenshot(page, "client-measure-summary-crisis-desktop")
