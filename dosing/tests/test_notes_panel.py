"""The chart's notes tab lists each session's note, signed or a draft, with no text."""

from __future__ import annotations

from django.urls import reverse

from dosing import services
from dosing.tests.support import actor_as, open_record
from pathways.testing import BaseTestCase


class NotesPanelTests(BaseTestCase):
    def test_it_lists_the_notes_signed_or_draft_without_their_text(self) -> None:
        ready, record = open_record(self.therapist, self.prescriber, self.partner)
        actor = actor_as(self.therapist)
        services.note_save(
            actor=actor, record=record, data="Private data", assessment="A", plan="P"
        )
        self.client.force_login(self.therapist)
        url = reverse("clients:tab", args=[ready.client.pk, "notes"])

        draft = self.client.get(url)
        services.note_sign(actor=actor, record=record)
        signed = self.client.get(url)

        self.assertContains(draft, "Draft, not signed")
        self.assertContains(draft, f'href="{record.get_absolute_url()}#note"')
        self.assertContains(draft, "KAP course 1, dosing 1 of")
        self.assertContains(signed, "Signed</span>")
        for page in (draft, signed):
            self.assertNotContains(page, "Private data")

    def test_it_is_not_shown_to_intake(self) -> None:
        ready, _ = open_record(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.intake)

        response = self.client.get(reverse("clients:tab", args=[ready.client.pk, "notes"]))

        self.assertNotContains(response, 'id="notes-title"')
