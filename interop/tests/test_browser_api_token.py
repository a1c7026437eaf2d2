"""The admin issues a partner prescriber's FHIR API token in the admin, copies it from
the page that shows it once, the prescriber's system reads the API with it, and the
admin revokes it: the next call answers 401."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Role, User
from interop.models import ApiToken
from pathways.testing import make_partner, make_prescriber, make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_issues_a_token_that_reads_the_api_until_it_is_revoked(page: Any) -> None:
    make_user("ada", Role.ADMIN, is_staff=True, is_superuser=True)
    make_prescriber("prue", make_partner("Blue Ridge Psychiatry"))

    sign_in(page, "ada")
    page.goto("/admin/interop/apitoken/add/")
    prescriber = User.objects.get(username="prue")
    page.get_by_label("Prescriber").select_option(str(prescriber.pk))
    page.get_by_label("Days").fill("30")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("heading", name="API token issued to")).to_be_visible()
    plaintext = page.get_by_label("Bearer token").input_value()
    assert len(plaintext) >= 40
    assert page.url.endswith("/admin/interop/apitoken/add/")  # no token in the address
    headers = {"Authorization": f"Bearer {plaintext}", "Accept": "application/fhir+json"}
    answer = page.request.get("/fhir/R4/Patient", headers=headers)
    assert answer.status == 200, answer.text()
    assert answer.json()["resourceType"] == "Bundle"

    page.goto("/admin/interop/apitoken/")
    token = ApiToken.objects.get(prescriber=prescriber)
    page.locator(f"input[name='_selected_action'][value='{token.pk}']").check()
    page.get_by_label("Action:").select_option("revoke_tokens")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("1 token(s) revoked.")).to_be_visible()

    refused = page.request.get("/fhir/R4/Patient", headers=headers)
    assert refused.status == 401
    assert refused.json()["resourceType"] == "OperationOutcome"
