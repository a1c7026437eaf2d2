"""The therapist opens the client's chart and downloads the record as FHIR: the file
is a Bundle of the client's record, and the chart passes axe-core."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from audit.models import AuditEvent
from interop.views import EXPORT_ACTION
from pathways.testing import assert_accessible, make_client, make_user, sign_in
from pathways.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_downloads_the_fhir_export_from_the_chart(page: Any) -> None:
    theo = make_user("theo", Role.THERAPIST)
    client = make_client(first_name="Rowan", last_name="Hale", assigned_therapist=theo)

    sign_in(page, "theo")
    page.goto(f"/staff/clients/{client.pk}/")
    button = page.get_by_role("button", name="Download FHIR export")
    expect(button).to_be_visible()
    assert_accessible(page)
    screenshot(page.locator("#fhir-export-title").locator(".."), "fhir-export-panel")
    with page.expect_download() as info:
        button.click()
    download = info.value

    assert download.suggested_filename.startswith("pathways-fhir-export-")
    assert "Hale" not in download.suggested_filename
    bundle = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    patient = bundle["entry"][0]["resource"]
    assert patient["name"][0]["family"] == "Hale"
    assert AuditEvent.objects.filter(action=EXPORT_ACTION, client_id=client.pk).count() == 1
