from __future__ import annotations

from django.utils import timezone

from audit.models import AuditEvent
from pathways.testing import make_course, make_prescription, make_session
from prescriptions.tests.helpers import RxTestCase


class StaffDetailTestCase(RxTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rx = make_prescription(self.referral, self.prescriber, booster_mg=50)
        self.url = f"/staff/prescriptions/{self.rx.pk}/"

    def test_it_shows_the_prescription_to_the_clients_therapist(self) -> None:
        course = make_course(self.rx_client, self.therapist)
        make_session(course, prescription=self.rx, started_at=timezone.now())
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        self.assertContains(response, "Marisol Quintero")
        self.assertContains(response, "<dd>Ketamine</dd>", html=True)
        self.assertContains(response, "Sublingual rapid-dissolve tablet or troche")
        self.assertContains(response, "100.0 mg")
        self.assertContains(response, "50.0 mg, not before 30 min after the dose")
        self.assertContains(response, "90/50 to 140/90 mmHg")
        self.assertContains(response, "50–110 /min")
        self.assertContains(response, "94–100%")
        self.assertContains(response, "Benzodiazepines: 24 h")
        self.assertContains(response, "No benzodiazepines for 24 hours before.")
        self.assertContains(response, "food 4.0 h, clear liquids 2.0 h before dosing")
        self.assertContains(response, "No food for 4 hours before.")
        self.assertContains(response, "<dd>1 of 6</dd>", html=True)
        self.assertContains(response, "<dd>5</dd>", html=True)
        self.assertNotContains(response, '<form method="post" action="/partner/')

    def test_it_audits_the_read(self) -> None:
        self.client.force_login(self.therapist)

        self.client.get(self.url)

        event = AuditEvent.objects.get(action="prescription.view")
        assert (event.actor, event.client_id, event.object_id) == (
            self.therapist,
            self.rx_client.pk,
            str(self.rx.pk),
        )
        assert event.detail == {"version": 1, "status": "active"}

    def test_another_therapist_gets_404(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.client.get(self.url)

        assert response.status_code == 404
        self.assertNotContains(response, "Marisol", status_code=404)
        assert not AuditEvent.objects.filter(action="prescription.view").exists()

    def test_admin_and_intake_see_every_prescription(self) -> None:
        for user in (self.admin, self.intake):
            self.client.force_login(user)

            self.assertContains(self.client.get(self.url), "Marisol Quintero")

    def test_a_prescriber_is_refused(self) -> None:
        self.client.force_login(self.prescriber)

        assert self.client.get(self.url).status_code == 403

    def test_a_missing_prescription_is_404(self) -> None:
        self.client.force_login(self.admin)

        assert self.client.get("/staff/prescriptions/999999/").status_code == 404
