from __future__ import annotations

from django.urls import reverse

from dosing import services
from dosing.panels import client_timeline
from dosing.tests.support import (
    actor_as,
    add_vitals,
    ago,
    dosed_and_checked,
    open_record,
)
from pathways.testing import BaseTestCase
from treatment.tests.support import make_ready


class ClientPanelTests(BaseTestCase):
    def test_it_lists_the_dosing_records_on_the_client_page(self) -> None:
        ready, record = open_record(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("clients:tab", args=[ready.client.pk, "course"]))

        self.assertContains(response, "Dosing sessions")
        self.assertContains(response, reverse("dosing:record", args=[record.pk]))

    def test_it_offers_to_open_the_record_of_a_planned_dosing_session(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("clients:tab", args=[ready.client.pk, "course"]))

        self.assertContains(response, reverse("dosing:open", args=[ready.session.pk]))
        self.assertContains(response, "Open the dosing record")

    def test_it_shows_no_panel_to_the_intake_coordinator(self) -> None:
        ready, _ = open_record(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.intake)

        response = self.client.get(reverse("clients:tab", args=[ready.client.pk, "course"]))

        self.assertNotContains(response, "Open the dosing record")
        self.assertNotContains(response, 'id="dosing-title"')

    def test_it_adds_timeline_entries_without_free_text(self) -> None:
        ready, record = open_record(self.therapist, self.prescriber, self.partner)
        dosed_and_checked(record, self.therapist, self.admin)
        actor = actor_as(self.therapist)
        services.adverse_event_add(
            actor=actor,
            record=record,
            report=services.AdverseEventReport(
                type="anxiety",
                severity="mild",
                occurred_at=ago(20),
                action_taken="Reassurance.",
            ),
        )
        add_vitals(record, self.therapist, phase="discharge", minutes_ago=5)
        services.record_discharge(
            actor=actor,
            record=record,
            ticks=services.DischargeTicks(
                alert_and_oriented=True,
                walks_steadily=True,
                escort_present=True,
                told_no_driving=True,
            ),
            discharged_at=ago(2),
        )
        services.note_save(actor=actor, record=record, data="D", assessment="A", plan="P")
        services.note_sign(actor=actor, record=record)

        texts = sorted(entry.text for entry in client_timeline(ready.client))

        self.assertEqual(
            texts, ["Adverse event recorded", "Discharged", "Dose given", "Session note signed"]
        )
