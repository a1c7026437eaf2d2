"""The consent in a browser (issue 11 §5): staff create a link for a client without an
e-mail and show it as a QR code; the client's typed "J R" is refused beside the field,
the right name signs; the client downloads the PDF of what they signed. axe-core on
every page a client sees, at 390 px and on a desktop."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.models import Role
from consents.copy import signed_copy_html
from consents.models import ConsentKind, SignedConsent
from consents.services import consent_documents_install_defaults
from consents.tests.factories import make_consent_request
from pathways.testing import assert_accessible, make_client, make_user, sign_in
from pathways.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Informed consent for ketamine-assisted psychotherapy"


def _client_signs(page: Any, link: str, width: str) -> None:
    # Laying out a PDF takes a few seconds on a loaded machine.
    page.context.set_default_navigation_timeout(30_000)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("ketamine-assisted psychotherapy")
    assert_accessible(page)
    screenshot(page, f"client-consent-sign-{width}")

    # Initials are not a signature: refused beside the field, the name on file unsaid.
    page.get_by_label("Your full name").fill("J R")
    page.get_by_label("I have read this document and I agree to it").check()
    page.get_by_role("button", name="Sign this document").click()
    error = page.locator("#id_typed_name_error")
    expect(error).to_contain_text("does not match the name the practice has on file")
    expect(page.get_by_label("Your full name")).to_have_value("J R")
    expect(page.get_by_label("Your full name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main")).not_to_contain_text("Jordan")
    expect(page.locator("main")).not_to_contain_text("Rivera")
    assert not SignedConsent.objects.exists()
    assert_accessible(page)
    screenshot(page, f"client-consent-refused-{width}")

    page.get_by_label("Your full name").fill("jordan rívera")
    page.get_by_label("I have read this document and I agree to it").check()
    page.get_by_role("button", name="Sign this document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you, your signature has been recorded"
    )
    assert_accessible(page)
    screenshot(page, f"client-consent-done-{width}")

    # The copy: a PDF of exactly what was signed.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download a copy of what you signed")).click()
    download = download_info.value
    assert download.suggested_filename == "signed-consent.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    signed = SignedConsent.objects.get()
    html = signed_copy_html(signed)
    assert TITLE in html
    assert "jordan rívera" in html
    assert signed.body_signed.split("\n\n", 1)[0].strip()[:60] in html

    # The link is used up.
    closed = page.context.new_page()  # its 410 is a console error the fixture would count
    closed.goto(link)
    expect(closed.locator("main")).to_contain_text(
        "This link has expired or has already been used."
    )
    assert_accessible(closed)
    screenshot(closed, f"client-consent-link-closed-{width}")
    closed.close()


def _practice() -> tuple[Any, Any]:
    consent_documents_install_defaults(actor=Actor.system())
    therapist = make_user("theo", Role.THERAPIST, first_name="Theo")
    client = make_client(
        first_name="Jordan", last_name="Rivera", email="", assigned_therapist=therapist
    )
    return therapist, client


def test_it_signs_on_a_phone_and_downloads_the_copy(phone_page: Any) -> None:
    therapist, client = _practice()
    _, token = make_consent_request(client, therapist, ConsentKind.KAP)

    _client_signs(phone_page, f"/consent/{token}/", "phone")


def test_staff_show_a_qr_code_and_the_client_signs_on_a_desktop(
    page: Any, browser: Any, live_server: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    _, client = _practice()
    sign_in(page, "theo")

    page.goto(f"/staff/consents/client/{client.pk}/send/")
    page.get_by_label("Consent form").select_option(ConsentKind.KAP)
    page.get_by_role("button", name="Create the signing link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Link created")
    qr = page.get_by_role("img", name="QR code of the signing link")
    expect(qr).to_be_hidden()
    page.get_by_text("Show the link as a QR code").click()
    expect(qr).to_be_visible()
    assert_accessible(page)
    screenshot(page, "client-consent-qr-staff")
    link = page.get_by_role("textbox", name="The signing link").input_value()

    # The client, in a browser of their own (the office tablet, or their phone).
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    visitor = context.new_page()
    try:
        _client_signs(visitor, link, "desktop")
    finally:
        context.close()

    # Staff open the same copy to print.
    signed = SignedConsent.objects.get()
    page.goto(f"/staff/consents/{signed.pk}/")
    expect(
        page.get_by_role("link", name="Open the signed copy as a PDF to print")
    ).to_have_attribute("href", f"/staff/consents/{signed.pk}/pdf/")
    response = page.request.get(f"/staff/consents/{signed.pk}/pdf/")
    assert response.ok
    assert response.body().startswith(b"%PDF")
    assert "no-store" in response.headers["cache-control"]

    # Another browser (this one did not sign) gets no copy from the client's address.
    other = page.context.new_page()  # its 404 is a console error the fixture would count
    other.goto(f"/consent/copy/{signed.pk}/")
    expect(other.get_by_role("heading", level=1)).to_have_text("This copy is not available here")
    assert_accessible(other)
    screenshot(other, "client-consent-copy-gone-desktop")
    other.close()
