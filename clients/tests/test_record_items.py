from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from clients.models import Allergy, Client, Diagnosis, ReportedMedication
from pathways.testing import BaseTestCase, make_client

from .support import own_providers_only

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
ICD_ERROR = "Enter an ICD-10-CM code such as F43.10 or F33.1."
# What the confirm form (templates/includes/confirm.html) sends with its second button.
CONFIRM = {"confirm": "yes"}


class RecordItemsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        own_providers_only(self)
        self.record = make_client(first_name="Iris", last_name="Murdoch")
        self.record.assigned_therapist = self.therapist
        self.record.save()
        self.base = f"/staff/clients/{self.record.pk}"

    def add(self, kind: str, user: User | None = None, **data: str) -> TestResponse:
        self.client.force_login(user or self.therapist)
        path = {"diagnosis": "diagnoses", "medication": "medications", "allergy": "allergies"}
        prefixed = {f"{kind}-{name}": value for name, value in data.items()}
        return self.client.post(f"{self.base}/{path[kind]}/add/", prefixed)

    def add_diagnosis(self, code: str, description: str = "Depression") -> TestResponse:
        return self.add("diagnosis", code=code, description=description)

    # --- Diagnoses --------------------------------------------------------

    def test_it_adds_a_diagnosis(self) -> None:
        response = self.add_diagnosis("F33.1", "Major depressive disorder, recurrent, moderate")

        self.assertRedirects(response, f"{self.base}/")
        diagnosis = Diagnosis.objects.get()
        assert diagnosis.client == self.record
        assert diagnosis.code == "F33.1"
        assert diagnosis.description == "Major depressive disorder, recurrent, moderate"
        assert diagnosis.added_by == self.therapist
        assert diagnosis.resolved_at is None

    def test_it_shows_the_diagnosis_on_the_record(self) -> None:
        self.add_diagnosis("F43.10", "Post-traumatic stress disorder, unspecified")

        response = self.client.get(f"{self.base}/")

        self.assertContains(response, "<strong>F43.10</strong>", html=True)
        self.assertContains(response, "Post-traumatic stress disorder, unspecified")

    def test_it_audits_the_addition_without_the_text(self) -> None:
        self.add_diagnosis("F33.1", "Major depressive disorder")

        event = AuditEvent.objects.get(action="client.diagnosis_add")
        diagnosis = Diagnosis.objects.get()
        assert event.actor == self.therapist
        assert event.client_id == self.record.pk
        assert event.object_type == "clients.diagnosis"
        assert event.object_id == str(diagnosis.pk)
        assert event.detail == {}

    def test_it_normalises_a_code_to_capitals(self) -> None:
        for typed, stored in (
            ("f33.1", "F33.1"),
            (" f43.10 ", "F43.10"),
            ("t40.7x1a", "T40.7X1A"),
        ):
            with self.subTest(typed=typed):
                response = self.add_diagnosis(typed)

                assert response.status_code == 302
                assert Diagnosis.objects.filter(code=stored).exists()

    def test_it_accepts_well_formed_icd_10_cm_codes(self) -> None:
        for code in ("Z99.89", "F41", "F32.A", "F43.10", "T40.7X1A", "R45.851"):
            with self.subTest(code=code):
                response = self.add_diagnosis(code)

                assert response.status_code == 302, response.context["diagnosis_form"].errors
        assert Diagnosis.objects.count() == 6

    def test_it_rejects_a_malformed_code_beside_the_field(self) -> None:
        for code in ("123", "Q1", "F3", "F33.", "FF3.1", "F3-3", "33.1F", "F33 1", "F3.1"):
            with self.subTest(code=code):
                response = self.add_diagnosis(code, "Typed description")

                assert response.status_code == 200
                form = response.context["diagnosis_form"]
                assert "code" in form.errors
                self.assertContains(response, ICD_ERROR)
                self.assertContains(response, f'value="{code}"')
                self.assertContains(response, 'value="Typed description"')
                # The add form is open, so the error is seen.
                self.assertContains(response, "<details open>")
        assert not Diagnosis.objects.exists()
        assert not AuditEvent.objects.filter(action="client.diagnosis_add").exists()

    def test_it_rejects_a_code_too_long_to_be_one(self) -> None:
        response = self.add_diagnosis("F33.12345")

        assert "code" in response.context["diagnosis_form"].errors
        self.assertContains(response, 'value="F33.12345"')
        assert not Diagnosis.objects.exists()

    def test_it_rejects_an_empty_code_or_description(self) -> None:
        response = self.add_diagnosis("", "")

        assert set(response.context["diagnosis_form"].errors) == {"code", "description"}
        assert not Diagnosis.objects.exists()

    def test_it_accepts_the_u_codes_icd_10_cm_uses(self) -> None:
        for code in ("U07.1", "U09.9"):
            assert self.add_diagnosis(code).status_code == 302, code
        assert Diagnosis.objects.count() == 2

    def test_it_resolves_a_diagnosis_and_keeps_it(self) -> None:
        self.add_diagnosis("F33.1", "Major depressive disorder")
        diagnosis = Diagnosis.objects.get()

        response = self.client.post(
            f"{self.base}/diagnoses/{diagnosis.pk}/resolve/", CONFIRM, follow=True
        )

        diagnosis.refresh_from_db()
        assert diagnosis.resolved_at is not None
        self.assertContains(response, "The diagnosis was marked as resolved; the history is kept.")
        self.assertContains(response, '<li class="ended">')
        self.assertContains(response, f"(resolved {timezone.localdate():%Y-%m-%d})")
        self.assertContains(response, "Major depressive disorder")
        event = AuditEvent.objects.get(action="client.diagnosis_end")
        assert event.object_id == str(diagnosis.pk)
        assert event.client_id == self.record.pk

    def test_it_resolves_only_once(self) -> None:
        self.add_diagnosis("F33.1")
        diagnosis = Diagnosis.objects.get()
        url = f"{self.base}/diagnoses/{diagnosis.pk}/resolve/"
        self.client.post(url, CONFIRM)
        diagnosis.refresh_from_db()
        first = diagnosis.resolved_at

        response = self.client.post(url, CONFIRM)

        assert response.status_code == 302
        diagnosis.refresh_from_db()
        assert diagnosis.resolved_at == first
        assert AuditEvent.objects.filter(action="client.diagnosis_end").count() == 1

    def test_it_lists_current_items_before_ended_ones(self) -> None:
        now = timezone.now()
        Diagnosis.objects.create(
            client=self.record,
            code="A01",
            description="Old",
            added_by=self.therapist,
            resolved_at=now,
        )
        Diagnosis.objects.create(
            client=self.record, code="F33.1", description="Current", added_by=self.therapist
        )
        ReportedMedication.objects.create(client=self.record, name="Aspirin", stopped_at=now)
        ReportedMedication.objects.create(client=self.record, name="Sertraline")
        Allergy.objects.create(client=self.record, substance="Amoxicillin", removed_at=now)
        Allergy.objects.create(client=self.record, substance="Penicillin")
        self.client.force_login(self.therapist)

        response = self.client.get(f"{self.base}/")

        assert [d.code for d in response.context["diagnoses"]] == ["F33.1", "A01"]
        assert [m.name for m in response.context["medications"]] == ["Sertraline", "Aspirin"]
        assert [a.substance for a in response.context["allergies"]] == [
            "Penicillin",
            "Amoxicillin",
        ]

    # --- Medications ------------------------------------------------------

    def test_it_adds_a_reported_medication(self) -> None:
        response = self.add("medication", name="Sertraline", dose="100 mg", frequency="daily")

        self.assertRedirects(response, f"{self.base}/")
        medication = ReportedMedication.objects.get()
        assert (medication.client, medication.name) == (self.record, "Sertraline")
        assert str(medication) == "Sertraline 100 mg daily"
        assert AuditEvent.objects.get(action="client.reportedmedication_add").detail == {}
        self.assertContains(self.client.get(f"{self.base}/"), "Sertraline 100 mg daily")

    def test_it_needs_the_medication_name(self) -> None:
        response = self.add("medication", name="", dose="100 mg")

        assert response.status_code == 200
        assert "name" in response.context["medication_form"].errors
        self.assertContains(response, 'value="100 mg"')
        assert not ReportedMedication.objects.exists()

    def test_it_stops_a_medication_and_keeps_it(self) -> None:
        self.add("medication", name="Bupropion", dose="150 mg")
        medication = ReportedMedication.objects.get()

        response = self.client.post(f"{self.base}/medications/{medication.pk}/stop/", CONFIRM)

        assert response.status_code == 302
        medication.refresh_from_db()
        assert medication.stopped_at is not None
        assert AuditEvent.objects.filter(action="client.reportedmedication_end").count() == 1
        page = self.client.get(f"{self.base}/")
        self.assertContains(page, "Bupropion 150 mg")
        self.assertContains(page, '<li class="ended">')

    def test_it_says_what_the_buttons_do_and_confirms(self) -> None:
        self.add("medication", name="Bupropion", dose="150 mg")
        self.add_diagnosis("F33.1", "Major depressive disorder")

        page = self.client.get(f"{self.base}/")

        # Each button names its action and opens the shared confirm form, whose own
        # button sends confirm=yes; no bare "Stopped" or "Resolve" that acts at once.
        self.assertContains(
            page, '<summary class="button secondary small">Mark as stopped</summary>'
        )
        self.assertContains(
            page, '<summary class="button secondary small">Mark as resolved</summary>'
        )
        self.assertContains(page, "Yes, mark as stopped: Bupropion 150 mg")
        self.assertContains(page, 'name="confirm" value="yes"', count=2)
        self.assertNotContains(page, ">Stopped<")
        self.assertNotContains(page, ">Resolve<")

    def test_it_refuses_to_end_an_item_without_the_confirm(self) -> None:
        self.add("medication", name="Bupropion", dose="150 mg")
        self.add_diagnosis("F33.1")
        self.add("allergy", substance="Latex", severity="mild")
        medication = ReportedMedication.objects.get()
        diagnosis = Diagnosis.objects.get()
        allergy = Allergy.objects.get()

        for url, data in (
            (f"{self.base}/medications/{medication.pk}/stop/", {}),
            (f"{self.base}/diagnoses/{diagnosis.pk}/resolve/", {"confirm": "no"}),
            (f"{self.base}/allergies/{allergy.pk}/remove/", {}),
        ):
            with self.subTest(url=url):
                response = self.client.post(url, data, follow=True)
                self.assertContains(response, "Nothing was changed")

        medication.refresh_from_db()
        diagnosis.refresh_from_db()
        allergy.refresh_from_db()
        assert (medication.stopped_at, diagnosis.resolved_at, allergy.removed_at) == (
            None,
            None,
            None,
        )
        assert not AuditEvent.objects.filter(action__endswith="_end").exists()

    # --- Allergies --------------------------------------------------------

    def test_it_adds_an_allergy_with_its_severity(self) -> None:
        response = self.add("allergy", substance="Penicillin", reaction="Hives", severity="severe")

        self.assertRedirects(response, f"{self.base}/")
        allergy = Allergy.objects.get()
        assert (allergy.substance, allergy.reaction, allergy.severity) == (
            "Penicillin",
            "Hives",
            "severe",
        )
        self.assertContains(self.client.get(f"{self.base}/"), "Hives (severe)")

    def test_it_rejects_an_unknown_severity(self) -> None:
        response = self.add("allergy", substance="Latex", severity="fatal")

        assert response.status_code == 200
        assert "severity" in response.context["allergy_form"].errors
        self.assertContains(response, 'value="Latex"')
        assert not Allergy.objects.exists()

    def test_it_removes_an_allergy_and_keeps_it(self) -> None:
        self.add("allergy", substance="Latex", severity="mild")
        allergy = Allergy.objects.get()

        self.client.post(f"{self.base}/allergies/{allergy.pk}/remove/", CONFIRM)

        allergy.refresh_from_db()
        assert allergy.removed_at is not None
        assert Allergy.objects.count() == 1
        assert AuditEvent.objects.filter(action="client.allergy_end").count() == 1

    # --- Someone else's items ---------------------------------------------

    def test_it_answers_404_for_an_item_of_another_client(self) -> None:
        other = make_client(first_name="Other", assigned_therapist=self.therapist)
        diagnosis = Diagnosis.objects.create(
            client=other, code="F33.1", description="x", added_by=self.therapist
        )
        medication = ReportedMedication.objects.create(client=other, name="Lithium")
        allergy = Allergy.objects.create(client=other, substance="Sulfa")
        self.client.force_login(self.therapist)

        # The therapist may see both clients, but an item is ended only through its own.
        for url in (
            f"{self.base}/diagnoses/{diagnosis.pk}/resolve/",
            f"{self.base}/medications/{medication.pk}/stop/",
            f"{self.base}/allergies/{allergy.pk}/remove/",
        ):
            with self.subTest(url=url):
                assert self.client.post(url, CONFIRM).status_code == 404

        diagnosis.refresh_from_db()
        medication.refresh_from_db()
        allergy.refresh_from_db()
        assert (diagnosis.resolved_at, medication.stopped_at, allergy.removed_at) == (
            None,
            None,
            None,
        )
        assert not AuditEvent.objects.filter(action__endswith="_end").exists()

    def test_it_answers_404_to_another_therapist(self) -> None:
        diagnosis = Diagnosis.objects.create(
            client=self.record, code="F33.1", description="x", added_by=self.therapist
        )

        add = self.add("diagnosis", self.therapist2, code="F41.1", description="GAD")
        end = self.client.post(f"{self.base}/diagnoses/{diagnosis.pk}/resolve/", CONFIRM)

        assert (add.status_code, end.status_code) == (404, 404)
        assert Diagnosis.objects.count() == 1
        diagnosis.refresh_from_db()
        assert diagnosis.resolved_at is None

    def test_it_answers_404_for_an_item_that_does_not_exist(self) -> None:
        self.client.force_login(self.therapist)

        assert (
            self.client.post(f"{self.base}/diagnoses/999999/resolve/", CONFIRM).status_code == 404
        )

    def test_it_lets_intake_add_to_the_record(self) -> None:
        response = self.add("allergy", self.intake, substance="Iodine", severity="unknown")

        assert response.status_code == 302
        assert Client.objects.get(pk=self.record.pk).allergies.count() == 1
