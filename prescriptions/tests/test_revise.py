from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import OutboundEmail
from pathways.testing import make_course, make_prescription, make_session
from prescriptions.models import Prescription, RxStatus
from prescriptions.tests.helpers import RxTestCase, rx_data


class ReviseTestCase(RxTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.v1 = make_prescription(self.referral, self.prescriber)
        self.client.force_login(self.prescriber)

    def revise(self, rx: Prescription, **changes: object) -> Prescription:
        # What the version says, but for the changes.
        same = {
            "modality": rx.modality,
            "valid_from": rx.valid_from.isoformat(),
            "valid_to": rx.valid_to.isoformat(),
        }
        data = rx_data(**{**same, **changes})
        response = self.client.post(f"/partner/prescriptions/{rx.pk}/revise/", data)
        assert response.status_code == 302, response.content
        return Prescription.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))

    def test_it_prefills_the_form_from_the_current_version(self) -> None:
        response = self.client.get(f"/partner/prescriptions/{self.v1.pk}/revise/")

        form = response.context["form"]
        assert form["dose_mg"].value() == Decimal("100")
        assert form["hr_max"].value() == 110
        self.assertContains(response, f'value="{self.v1.valid_to.isoformat()}"')
        self.assertContains(response, "Save version 2")

    def test_it_writes_a_new_version_and_supersedes_the_old(self) -> None:
        v2 = self.revise(self.v1, dose_mg="150")

        self.v1.refresh_from_db()
        assert self.v1.status == RxStatus.SUPERSEDED
        assert (v2.version, v2.chain_id, v2.status) == (2, self.v1.pk, RxStatus.ACTIVE)
        assert v2.dose_mg == Decimal("150")
        assert v2.prescriber == self.prescriber
        assert (v2.client, v2.referral) == (self.rx_client, self.referral)

    def test_it_keeps_the_chain_root_on_later_revisions(self) -> None:
        v2 = self.revise(self.v1, dose_mg="150")
        v3 = self.revise(v2, dose_mg="150", booster_mg="50", booster_after_minutes="30")

        assert (v3.version, v3.chain_id) == (3, self.v1.pk)
        statuses = dict(v3.chain_versions().values_list("version", "status"))
        assert statuses == {1: "superseded", 2: "superseded", 3: "active"}

    def test_it_audits_the_versions_and_changed_field_names(self) -> None:
        v2 = self.revise(self.v1, dose_mg="150", hr_max="100")

        event = AuditEvent.objects.get(action="prescription.revise")
        assert event.object_id == str(v2.pk)
        assert event.client_id == self.rx_client.pk
        assert event.detail == {
            "chain": self.v1.pk,
            "from_version": 1,
            "to_version": 2,
            "superseded": self.v1.pk,
            "changed": ["dose_mg", "hr_max"],
        }

    def test_it_shows_the_history_to_the_prescriber(self) -> None:
        v2 = self.revise(self.v1, dose_mg="150")

        response = self.client.get(f"/partner/prescriptions/{v2.pk}/")

        self.assertContains(response, "Version 2 (shown above)")
        self.assertContains(response, f'href="/partner/prescriptions/{self.v1.pk}/">Version 1</a>')
        self.assertContains(response, "Dose per session (mg): 100.0 → 150.0")
        self.assertContains(response, "Superseded by a newer version")
        self.assertNotContains(response, 'href="/staff/')  # the portal never links the practice

    def test_it_shows_the_history_to_the_therapist(self) -> None:
        v2 = self.revise(self.v1, dose_mg="150")
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/prescriptions/{v2.pk}/")

        self.assertContains(response, "150.0 mg")
        self.assertContains(response, f'href="/staff/prescriptions/{self.v1.pk}/">Version 1</a>')
        self.assertContains(response, "Dose per session (mg): 100.0 → 150.0")

    def test_an_old_version_points_to_the_current_one(self) -> None:
        v2 = self.revise(self.v1, dose_mg="150")
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/prescriptions/{self.v1.pk}/")

        self.assertContains(response, "This is an earlier version.")
        self.assertContains(response, f'href="/staff/prescriptions/{v2.pk}/"')

    def test_it_carries_the_session_count_over_to_the_new_version(self) -> None:
        course = make_course(self.rx_client, self.therapist)
        make_session(course, prescription=self.v1, started_at=timezone.now())
        make_session(course, prescription=self.v1)  # planned, not started: not used

        v2 = self.revise(self.v1, dose_mg="150")

        assert v2.sessions_used() == 1
        assert v2.sessions_left() == 5
        self.client.force_login(self.therapist)
        response = self.client.get(f"/staff/prescriptions/{v2.pk}/")
        assert (response.context["sessions_used"], response.context["sessions_left"]) == (1, 5)

    def test_it_refuses_fewer_sessions_than_already_used(self) -> None:
        course = make_course(self.rx_client, self.therapist)
        for _ in range(3):
            make_session(course, prescription=self.v1, started_at=timezone.now())

        response = self.client.post(
            f"/partner/prescriptions/{self.v1.pk}/revise/",
            rx_data(
                sessions_authorised="2",
                valid_from=self.v1.valid_from.isoformat(),
                valid_to=self.v1.valid_to.isoformat(),
            ),
        )

        self.assertContains(response, "3 dosing sessions have already used this prescription")
        assert Prescription.objects.count() == 1

    def test_it_refuses_a_revision_that_changes_nothing(self) -> None:
        response = self.client.post(
            f"/partner/prescriptions/{self.v1.pk}/revise/",
            rx_data(
                modality=self.v1.modality,
                valid_from=self.v1.valid_from.isoformat(),
                valid_to=self.v1.valid_to.isoformat(),
            ),
        )

        self.assertContains(response, "Nothing was changed")
        assert Prescription.objects.count() == 1

    def test_it_refuses_to_revise_a_superseded_version(self) -> None:
        v2 = self.revise(self.v1, dose_mg="150")

        page = self.client.get(f"/partner/prescriptions/{self.v1.pk}/revise/")
        response = self.client.post(
            f"/partner/prescriptions/{self.v1.pk}/revise/", rx_data(dose_mg="200")
        )

        for reply in (page, response):
            self.assertRedirects(reply, f"/partner/prescriptions/{v2.pk}/")
        assert Prescription.objects.count() == 2

    def test_it_tells_the_practice(self) -> None:
        self.revise(self.v1, dose_mg="150")

        email = OutboundEmail.objects.get()
        assert email.to == "therapist@pathways.example"
        assert "150" not in email.body
