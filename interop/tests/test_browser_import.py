"""The therapist imports a previous provider's FHIR file from the client's chart: the
upload page, the preview (nothing stored, the skipped resource listed with its
reason), the confirm with the file chosen again; every page passes axe-core and the
PHQ-9 with item 9 answered raises its safety alert."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from audit.models import AuditEvent
from interop.importing import IMPORT_ACTION
from interop.tests.import_support import bundle, gad7_in_file, medication, phq9
from measures.models import Response, SafetyAlert
from pathways.testing import assert_accessible, make_client, make_user, sign_in
from pathways.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_previews_then_imports_a_fhir_file_from_the_chart(page: Any, tmp_path: Path) -> None:
    call_command("load_instruments", stdout=io.StringIO())
    theo = make_user("theo", Role.THERAPIST)
    client = make_client(first_name="Rowan", last_name="Hale", assigned_therapist=theo)
    when = timezone.now() - dt.timedelta(days=20)
    file = tmp_path / "previous-provider.json"
    file.write_bytes(
        bundle(
            *phq9(when, total=4, q1=2, q9=1),
            medication("Lithium"),
            {"resourceType": "Patient", "id": "p"},
            # A GAD-7 sent as a form alone, tied to the sender's own Questionnaire.
            *gad7_in_file(
                (when - dt.timedelta(days=14)).isoformat(), {str(n): 1 for n in range(1, 8)}
            ),
        )
    )

    sign_in(page, "theo")
    page.goto(f"/staff/clients/{client.pk}/")
    page.get_by_role("link", name="Import measures and medications from a FHIR file").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import measures")
    assert_accessible(page)
    page.get_by_label("FHIR Bundle file (.json)").set_input_files(str(file))
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_text("Nothing has been stored yet.")).to_be_visible()
    expect(page.get_by_text("total differs from ours")).to_be_visible()
    expect(
        page.get_by_text("Item 9 answered 1: a safety alert is raised on import.")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="Patient ×1")).to_be_visible()
    expect(
        page.get_by_role("cell", name="QuestionnaireResponse their-gad7-answers")
    ).to_be_visible()
    assert_accessible(page)
    screenshot(page, "fhir-import-preview")
    assert not Response.objects.filter(client=client).exists()

    page.get_by_label("FHIR Bundle file (.json)").set_input_files(str(file))
    page.get_by_role("button", name="Import 2 measure(s) and 1 medication(s)").click()

    expect(page.get_by_text("Imported 2 measure(s) and 1 medication(s)")).to_be_visible()
    assert_accessible(page)
    stored = Response.objects.get(client=client, instrument__code="phq9")
    assert stored.total == 3
    assert Response.objects.get(client=client, instrument__code="gad7").total == 7
    assert SafetyAlert.objects.filter(response=stored).count() == 1
    assert AuditEvent.objects.filter(action=IMPORT_ACTION, client_id=client.pk).count() == 1

    # The client's measures say where the imported scores came from.
    page.goto(f"/staff/measures/client/{client.pk}/")
    expect(page.get_by_text("imported from a FHIR file by").first).to_be_visible()
    assert_accessible(page)
