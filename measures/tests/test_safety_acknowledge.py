"""Issue 8 §5: only a clinician acknowledges a safety alert, with an action and a note.

A therapist, or an admin who is a clinician (User.is_clinician). An intake
coordinator or another admin sees the alert but is refused (403, audited), is
not shown the form, and the dosing gate stays closed.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts.actor import Actor
from accounts.models import User
from audit.models import AuditEvent
from measures.alerts.safety import alert_raise_for_response, gate_descriptions
from measures.alerts.services import (
    ACKNOWLEDGE_ACTION,
    MAX_NOTE_CHARS,
    REFUSE_ACTION,
    AlertError,
    NotAClinicianError,
    alert_acknowledge,
)
from measures.models import AlertAction, SafetyAlert
from measures.tests.factories import make_instrument, make_response
from measures.tests.support import ON_LINK
from pathways.testing import BaseTestCase
from treatment.gate import dosing_readiness
from treatment.tests.support import make_ready

NOTE = "Called Wren the same day; safety plan reviewed."


class AcknowledgeTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.ready = make_ready(self.therapist, self.prescriber, self.partner)
        (self.alert,) = alert_raise_for_response(
            actor=ON_LINK, response=make_response(self.ready.client, make_instrument(), q9=3)
        )
        self.url = reverse("alerts:acknowledge", args=[self.alert.pk])

    def post(self, user: User, **data: str) -> Any:
        self.client.force_login(user)
        return self.client.post(self.url, data)

    def gate_is_closed(self) -> bool:
        checks, _ = dosing_readiness(self.ready.session)
        return not next(check for check in checks if check.key == "safety").ok

    def assert_still_open(self) -> None:
        self.alert.refresh_from_db()
        self.assertTrue(self.alert.is_open)
        self.assertTrue(gate_descriptions(self.ready.client))
        self.assertTrue(self.gate_is_closed())


class WhoTests(AcknowledgeTestCase):
    def test_it_refuses_an_intake_coordinator_and_the_gate_stays_closed(self) -> None:
        response = self.post(self.intake, action="no_action", action_note="ok")

        self.assertEqual(response.status_code, 403)
        self.assert_still_open()
        event = AuditEvent.objects.get(action=REFUSE_ACTION)
        self.assertEqual(event.actor, self.intake)
        self.assertEqual(event.object_id, str(self.alert.pk))
        self.assertEqual(event.detail["reason"], "not_a_clinician")
        self.assertFalse(AuditEvent.objects.filter(action=ACKNOWLEDGE_ACTION).exists())

    def test_it_refuses_an_admin_who_is_not_a_clinician(self) -> None:
        response = self.post(self.admin, action="safety_plan", action_note=NOTE)

        self.assertEqual(response.status_code, 403)
        self.assert_still_open()
        self.assertEqual(AuditEvent.objects.get(action=REFUSE_ACTION).actor, self.admin)

    def test_it_lets_an_admin_who_is_a_clinician_acknowledge(self) -> None:
        self.admin.is_clinician = True
        self.admin.save()

        response = self.post(self.admin, action="cssrs", action_note=NOTE)

        self.assertRedirects(response, reverse("alerts:alert", args=[self.alert.pk]))
        self.alert.refresh_from_db()
        self.assertEqual(self.alert.acknowledged_by, self.admin)
        self.assertFalse(self.gate_is_closed())

    def test_it_lets_any_therapist_acknowledge_and_opens_the_gate(self) -> None:
        response = self.post(self.therapist2, action="crisis_services", action_note=NOTE)

        self.assertEqual(response.status_code, 302)
        self.alert.refresh_from_db()
        self.assertEqual(self.alert.acknowledged_by, self.therapist2)
        self.assertEqual(self.alert.action, AlertAction.CRISIS_SERVICES)
        self.assertEqual(gate_descriptions(self.ready.client), [])
        self.assertFalse(self.gate_is_closed())

    def test_it_refuses_a_non_clinician_in_the_service_too(self) -> None:
        for user in (self.intake, self.admin):
            with self.subTest(user=user.username), self.assertRaises(NotAClinicianError):
                alert_acknowledge(
                    actor=Actor.for_user(user),
                    alert=self.alert,
                    action=AlertAction.SAFETY_PLAN,
                    note=NOTE,
                )
        self.assert_still_open()
        self.assertEqual(AuditEvent.objects.filter(action=REFUSE_ACTION).count(), 2)

    def test_it_shows_a_non_clinician_no_acknowledge_button(self) -> None:
        for user in (self.intake, self.admin):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                page = self.client.get(reverse("alerts:alert", args=[self.alert.pk]))
                record = self.client.get(self.ready.client.get_absolute_url())

                self.assertContains(page, "Only a clinician")
                self.assertNotContains(page, "Acknowledge the alert")
                self.assertNotContains(page, 'name="action_note"')
                self.assertContains(record, "Safety alerts: 1 open")
                self.assertNotContains(record, "#acknowledge")

    def test_it_shows_a_therapist_the_acknowledge_button(self) -> None:
        self.client.force_login(self.therapist)

        page = self.client.get(reverse("alerts:alert", args=[self.alert.pk]))
        record = self.client.get(self.ready.client.get_absolute_url())

        self.assertContains(page, "Acknowledge the alert")
        self.assertContains(record, "#acknowledge")


class WhatTests(AcknowledgeTestCase):
    def test_it_needs_an_action_from_the_list_and_keeps_the_note(self) -> None:
        for action in ("", "called_mum"):
            with self.subTest(action=action):
                response = self.post(self.therapist, action=action, action_note=NOTE)

                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'id="id_action_error"')
                self.assertContains(response, "Choose the action taken.")
                self.assertContains(response, NOTE)
        self.assert_still_open()

    def test_it_needs_a_note_of_at_least_15_characters_and_says_so(self) -> None:
        self.client.force_login(self.therapist)
        form = self.client.get(reverse("alerts:alert", args=[self.alert.pk]))
        self.assertContains(form, "At least 15 characters")

        response = self.post(self.therapist, action="safety_plan", action_note="ok")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_action_note_error"')
        self.assertContains(response, "Write at least 15 characters")
        self.assertRegex(response.content.decode(), r'value="safety_plan"[^>]*checked')
        self.assertContains(response, ">\nok</textarea>")
        self.assert_still_open()

    def test_it_needs_a_reason_for_no_action(self) -> None:
        response = self.post(self.therapist, action="no_action", action_note="not needed")

        self.assertContains(response, "Say why no action is needed")
        self.assert_still_open()

        self.post(
            self.therapist,
            action="no_action",
            action_note="Called: she meant a passing thought last month; seen tomorrow.",
        )
        self.alert.refresh_from_db()
        self.assertEqual(self.alert.action, AlertAction.NO_ACTION)

    def test_it_records_the_action_and_the_note(self) -> None:
        alert_acknowledge(
            actor=Actor.for_user(self.therapist),
            alert=self.alert,
            action=AlertAction.SAFETY_PLAN,
            note=f" {NOTE} ",
        )

        stored = SafetyAlert.objects.get(pk=self.alert.pk)
        self.assertEqual(stored.action, AlertAction.SAFETY_PLAN)
        self.assertEqual(stored.action_note, NOTE)
        event = AuditEvent.objects.get(action=ACKNOWLEDGE_ACTION)
        self.assertEqual(event.detail["action"], "safety_plan")
        self.assertNotIn(NOTE, str(event.detail))

    def test_it_refuses_a_note_longer_than_the_record_keeps_in_the_service(self) -> None:
        with self.assertRaisesMessage(AlertError, "at most 4000 characters"):
            alert_acknowledge(
                actor=Actor.for_user(self.therapist),
                alert=self.alert,
                action=AlertAction.SAFETY_PLAN,
                note="x" * (MAX_NOTE_CHARS + 1),
            )

        self.assert_still_open()
        self.assertFalse(AuditEvent.objects.filter(action=ACKNOWLEDGE_ACTION).exists())

    def test_it_refuses_an_actor_without_a_user_in_the_service(self) -> None:
        for actor in (Actor.system(), Actor.client_on_link("203.0.113.9")):
            with self.subTest(kind=actor.kind), self.assertRaises(PermissionError):
                alert_acknowledge(
                    actor=actor, alert=self.alert, action=AlertAction.SAFETY_PLAN, note=NOTE
                )
        self.assert_still_open()

    def test_it_refuses_a_bad_action_or_short_note_in_the_service(self) -> None:
        for action, note in (("", NOTE), ("called_mum", NOTE), ("cssrs", "ok"), ("cssrs", "")):
            with self.subTest(action=action, note=note), self.assertRaises(AlertError):
                alert_acknowledge(
                    actor=Actor.for_user(self.therapist),
                    alert=self.alert,
                    action=action,
                    note=note,
                )
        self.assert_still_open()
