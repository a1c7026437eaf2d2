from __future__ import annotations

from typing import Any

from django.urls import reverse

from audit.models import AuditEvent
from dosing import services
from dosing.models import Addendum, SessionNote
from dosing.tests.support import actor_as, open_record, post_data
from pathways.testing import BaseTestCase

NOTE = {
    "data": "Client described a warm, spacious experience.",
    "assessment": "Tolerated the dose well.",
    "plan": "Integration session next week.",
}


class NoteTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.therapist)

    def _url(self, name: str) -> str:
        return reverse(f"dosing:{name}", args=[self.record.pk])

    def _save(self, **fields: Any) -> Any:
        return self.client.post(self._url("note"), post_data("note", **{**NOTE, **fields}))

    def test_it_saves_a_draft_and_edits_it_while_unsigned(self) -> None:
        self._save()
        self._save(plan="Integration session in two days.")

        note = SessionNote.objects.get()
        self.assertEqual(note.plan, "Integration session in two days.")
        self.assertEqual(note.author, self.therapist)
        self.assertFalse(note.is_signed)
        self.assertEqual(AuditEvent.objects.filter(action="note.save").count(), 2)
        last = AuditEvent.objects.last()
        assert last is not None
        self.assertNotIn("Integration", str(last.detail))

    def test_signing_locks_the_note(self) -> None:
        self._save()

        self.client.post(self._url("note_sign"), {"confirm": "yes"})
        response = self._save(data="Rewritten after signing.", follow=True)

        note = SessionNote.objects.get()
        self.assertTrue(note.is_signed)
        self.assertEqual(note.signed_by, self.therapist)
        self.assertEqual(note.data, NOTE["data"])
        with self.assertRaises(services.DosingError):
            services.note_save(
                actor=actor_as(self.admin), record=self.record, **{**NOTE, "data": "x"}
            )
        note.refresh_from_db()
        self.assertEqual(note.data, NOTE["data"])
        page = self.client.get(reverse("dosing:record", args=[self.record.pk]))
        self.assertContains(page, "Signed and locked")
        self.assertNotContains(page, 'name="note-data"')
        self.assertEqual(response.status_code, 302)

    def test_it_refuses_to_sign_an_incomplete_note(self) -> None:
        self._save(plan="")

        self.client.post(self._url("note_sign"), {"confirm": "yes"})

        self.assertFalse(SessionNote.objects.get().is_signed)

    def test_an_addendum_appends_with_author_and_time(self) -> None:
        self._save()
        self.client.post(self._url("note_sign"), {"confirm": "yes"})
        self.client.force_login(self.admin)

        self.client.post(
            self._url("addendum"), post_data("addendum", text="Client called: slept well.")
        )
        self.client.post(self._url("addendum"), post_data("addendum", text="Second thought."))

        note = SessionNote.objects.get()
        addenda = list(note.addenda.all())
        self.assertEqual(
            [a.text for a in addenda], ["Client called: slept well.", "Second thought."]
        )
        self.assertEqual(addenda[0].author, self.admin)
        self.assertIsNotNone(addenda[0].created_at)
        self.assertEqual(note.data, NOTE["data"])
        page = self.client.get(reverse("dosing:record", args=[self.record.pk]))
        self.assertContains(page, "Client called: slept well.")
        self.assertContains(page, "by admin")

    def test_it_refuses_an_addendum_before_signing(self) -> None:
        self._save()

        response = self.client.post(
            self._url("addendum"), post_data("addendum", text="Too early.")
        )

        self.assertEqual(response.status_code, 302)
        self.assertFalse(Addendum.objects.exists())
        with self.assertRaises(services.DosingError):
            services.addendum_add(
                actor=actor_as(self.therapist), record=self.record, text="Too early."
            )

    def test_it_keeps_an_empty_addendum_out_with_a_field_error(self) -> None:
        self._save()
        self.client.post(self._url("note_sign"), {"confirm": "yes"})

        response = self.client.post(self._url("addendum"), post_data("addendum", text=""))

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'aria-invalid="true"')
        self.assertFalse(Addendum.objects.exists())
