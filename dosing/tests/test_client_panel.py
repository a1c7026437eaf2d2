from __future__ import annotations

from django.urls import reverse

from dosing import notes, services
from dosing.panels import client_timeline
from dosing.tests.support import (
    add_vitals,
    ago,
    dosed_and_checked,
    open_record,
    request_as,
)
from pathways.testing import BaseTestCase
from treatment.tests.support import make_ready


class ClientPanelTests(BaseTestCase):
    def test_it_lists_the_dosing_records_on_the_client_page(self) -> None:
        ready, record = open_record(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("clients:detail", args=[ready.client.pk]))

        self.assertContains(response, "Dosing sessions")
        self.assertContains(response, reverse("dosing:record", args=[record.pk]))

    def test_it_offers_to_open_the_record_of_a_planned_dosing_session(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("clients:detail", args=[ready.client.pk]))

        self.assertContains(response, reverse("dosing:open", args=[ready.session.pk]))
        self.assertContains(response, "Open the dosing record")

    def test_it_shows_no_panel_to_the_intake_coordinator(self) -> None:
        ready, _ = open_record(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.intake)

        response = self.client.get(reverse("clients:detail", args=[ready.client.pk]))

        self.assertNotContains(response, "Open the dosing record")
        self.assertNotContains(response, 'id="dosing-title"')

    def test_it_adds_timeline_entries_without_free_text(self) -> None:
        ready, record = open_record(self.therapist, self.prescriber, self.partner)
        dosed_and_checked(record, self.therapist, self.admin)
        request = request_as(self.therapist)
        services.adverse_event_add(
            request,
            record,
            {
                "type": "anxiety",
                "severity": "mild",
                "occurred_at": ago(20),
                "action_taken": "Reassurance.",
            },
        )
        add_vitals(record, self.therapist, phase="discharge", minutes_ago=5)
        services.discharge(
            request,
            record,
            {
                "alert_and_oriented": True,
                "walks_steadily": True,
                "escort_present": True,
                "told_no_driving": True,
                "discharged_at": ago(2),
            },
        )
        notes.note_save(request, record, {"data": "D", "assessment": "A", "plan": "P"})
        notes.note_sign(request, record)

        texts = sorted(entry.text for entry in client_timeline(ready.client))

        self.assertEqual(
            texts, ["Adverse event recorded", "Discharged", "Dose given", "Session note signed"]
        )
