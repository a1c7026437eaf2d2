"""Safety alerts for staff: who sees them, the pages, acknowledging with a note,
the client page, the dashboard list and the dosing readiness gate."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import User
from audit.models import AuditEvent
from measures.alerts.queries import dashboard_alerts, open_alerts_for_client
from measures.alerts.safety import alert_escalate_due, alert_raise_for_response
from measures.alerts.services import ACKNOWLEDGE_ACTION, AlertError, alert_acknowledge
from measures.models import AlertAction, SafetyAlert
from measures.tests.factories import make_instrument, make_response
from measures.tests.support import ON_LINK, SYSTEM
from pathways.testing import BaseTestCase, make_client
from treatment.gate import Check, dosing_readiness
from treatment.models import TreatmentSession
from treatment.tests.support import make_ready

NOTE = "Called the client; safety plan reviewed."


class AlertTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.mine = make_client(
            first_name="Wren", last_name="Halloway", assigned_therapist=self.therapist
        )
        self.theirs = make_client(
            first_name="Ezra", last_name="Quill", assigned_therapist=self.therapist2
        )
        self.phq9 = make_instrument()
        answered = dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.UTC)
        (self.alert,) = alert_raise_for_response(
            actor=ON_LINK, response=make_response(self.mine, self.phq9, answered_at=answered, q9=2)
        )
        (self.other,) = alert_raise_for_response(
            actor=ON_LINK, response=make_response(self.theirs, self.phq9, q9=1)
        )

    def ack(self, user: User, alert: SafetyAlert | None = None, note: str = NOTE) -> None:
        alert_acknowledge(
            actor=Actor.for_user(user),
            alert=alert or self.alert,
            action=AlertAction.SAFETY_PLAN,
            note=note,
        )


class AcknowledgeTestCase(AlertTestCase):
    def test_it_requires_a_note(self) -> None:
        for note in ("", "   \n ", "ok"):
            with self.subTest(note=note), self.assertRaises(AlertError):
                self.ack(self.therapist, note=note)
        self.alert.refresh_from_db()
        self.assertTrue(self.alert.is_open)

    def test_it_records_who_when_and_the_action_taken(self) -> None:
        before = timezone.now()

        self.ack(self.therapist, note="  Called Wren; safety plan.  ")

        self.alert.refresh_from_db()
        self.assertEqual(self.alert.acknowledged_by, self.therapist)
        assert self.alert.acknowledged_at is not None
        self.assertGreaterEqual(self.alert.acknowledged_at, before)
        self.assertEqual(self.alert.action_note, "Called Wren; safety plan.")
        self.assertEqual(self.alert.action, AlertAction.SAFETY_PLAN)
        event = AuditEvent.objects.get(action=ACKNOWLEDGE_ACTION)
        self.assertEqual((event.actor, event.object_id), (self.therapist, str(self.alert.pk)))
        self.assertEqual(
            event.detail,
            {"response": self.alert.response_id, "item": 9, "action": "safety_plan"},
        )

    def test_it_refuses_a_second_acknowledgement(self) -> None:
        self.ack(self.therapist)

        with self.assertRaisesMessage(AlertError, "already been acknowledged"):
            self.ack(self.therapist2, note="Called again; no answer.")
        self.alert.refresh_from_db()
        self.assertEqual(self.alert.acknowledged_by, self.therapist)


class VisibilityTestCase(AlertTestCase):
    def test_it_shows_every_open_alert_to_admin_and_intake(self) -> None:
        for user in (self.admin, self.intake):
            with self.subTest(user=user.username):
                self.assertEqual(set(dashboard_alerts(user)), {self.alert, self.other})

    def test_it_shows_every_therapist_every_open_alert(self) -> None:
        # Changed with issue 8 §5: a suicide-risk answer reaches every clinician.
        self.assertEqual(dashboard_alerts(self.therapist), [self.alert, self.other])
        self.assertEqual(dashboard_alerts(self.therapist2), [self.alert, self.other])

    def test_it_shows_an_on_call_therapist_every_alert(self) -> None:
        self.therapist2.on_call = True
        self.therapist2.save()

        self.assertEqual(set(dashboard_alerts(self.therapist2)), {self.alert, self.other})

    def test_it_shows_a_prescriber_nothing(self) -> None:
        self.prescriber.on_call = True
        self.assertEqual(dashboard_alerts(self.prescriber), [])

    def test_it_drops_an_acknowledged_alert_from_the_dashboard(self) -> None:
        self.ack(self.therapist)

        self.assertEqual(dashboard_alerts(self.therapist), [self.other])
        self.assertEqual(open_alerts_for_client(self.mine), [])
        self.assertEqual(dashboard_alerts(self.admin), [self.other])

    def test_it_renders_the_dashboard_list_until_acknowledged(self) -> None:
        html = render_to_string(
            "measures/alerts/_dashboard.html", {"safety_alerts": dashboard_alerts(self.therapist)}
        )
        heading = 'Safety alerts needing same-day follow-up <span class="today-count">2<'
        self.assertIn(heading, html)
        self.assertIn(reverse("alerts:alert", args=[self.alert.pk]), html)
        self.assertIn(reverse("alerts:alert", args=[self.other.pk]), html)
        # The client's name (changed with issue 8 §5), but not the questionnaire or answer.
        self.assertIn("Wren Halloway", html)
        for phi in ("PHQ", "item 9"):
            self.assertNotIn(phi, html)

        self.ack(self.therapist)
        self.ack(self.therapist, self.other)
        html = render_to_string(
            "measures/alerts/_dashboard.html", {"safety_alerts": dashboard_alerts(self.therapist)}
        )
        # Changed with issue 11 §1: an empty state on the Today page, with no name.
        self.assertIn("No open safety alerts.", html)
        self.assertNotIn("Wren", html)


class PagesTestCase(AlertTestCase):
    def test_it_lists_the_open_alerts_the_user_may_see(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("alerts:list"))

        self.assertContains(response, "Wren Halloway")
        self.assertContains(response, "PHQ-9 item 9 answered 2 on 2026-03-04")
        # Every clinician sees every open alert (changed with issue 8 §5).
        self.assertContains(response, "Ezra Quill")

    def test_it_lists_acknowledged_alerts_on_request(self) -> None:
        self.ack(self.therapist)
        self.ack(self.therapist, self.other)
        self.client.force_login(self.therapist)

        open_page = self.client.get(reverse("alerts:list"))
        done_page = self.client.get(reverse("alerts:list") + "?show=acknowledged")

        self.assertNotContains(open_page, "Wren Halloway")
        self.assertContains(open_page, "No open safety alerts.")
        self.assertContains(done_page, "Wren Halloway")
        self.assertContains(done_page, "Theo")

    def test_it_shows_the_alert_with_the_item_and_answer_and_who_was_told(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("alerts:alert", args=[self.alert.pk]))

        self.assertContains(response, "Wren Halloway")
        self.assertContains(response, "PHQ-9")
        self.assertContains(response, self.phq9.definition["items"][8]["text"])
        self.assertContains(response, "More than half the days (2)")
        self.assertContains(
            response,
            "This is a screening answer that needs same-day follow-up; it is not a diagnosis.",
        )
        self.assertContains(response, "Notified</dt><dd>Theo")
        self.assertContains(response, "Escalates to the practice admin if not acknowledged")
        self.assertContains(response, 'name="action_note"')
        self.assertContains(response, 'name="action"')
        self.assertTrue(
            AuditEvent.objects.filter(
                action="measure.safety_alert_view", object_id=str(self.alert.pk)
            ).exists()
        )

    def test_it_answers_404_for_an_alert_that_does_not_exist(self) -> None:
        self.client.force_login(self.therapist)
        missing = SafetyAlert.objects.latest("pk").pk + 1

        for response in (
            self.client.get(reverse("alerts:alert", args=[missing])),
            self.client.post(
                reverse("alerts:acknowledge", args=[missing]),
                {"action": "safety_plan", "action_note": NOTE},
            ),
        ):
            self.assertEqual(response.status_code, 404)

    def test_it_shows_another_therapists_alert_without_a_link_to_the_record(self) -> None:
        # Changed with issue 8 §5: every therapist may open every alert, on call or not.
        self.client.force_login(self.therapist2)

        response = self.client.get(reverse("alerts:alert", args=[self.alert.pk]))

        self.assertContains(response, "Wren Halloway")
        # They may not open the client's record, so the name is not a link to it.
        self.assertNotContains(response, self.mine.get_absolute_url())

    def test_it_refuses_a_prescriber(self) -> None:
        self.client.force_login(self.prescriber)

        self.assertEqual(self.client.get(reverse("alerts:list")).status_code, 403)
        self.assertEqual(
            self.client.get(reverse("alerts:alert", args=[self.alert.pk])).status_code, 403
        )

    def test_it_asks_for_the_note_beside_the_field(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(
            reverse("alerts:acknowledge", args=[self.alert.pk]), {"action_note": "   "}
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_action_note_error"')
        self.assertContains(response, "Write down the action you took")
        self.assertContains(response, 'id="id_action_error"')
        self.assertContains(response, "Choose the action taken.")
        self.assertContains(response, 'aria-invalid="true"')
        self.alert.refresh_from_db()
        self.assertTrue(self.alert.is_open)

    def test_it_acknowledges_with_the_note(self) -> None:
        self.client.force_login(self.therapist)
        url = reverse("alerts:acknowledge", args=[self.alert.pk])

        page = self.client.post(
            url,
            {"action": "safety_plan", "action_note": "Called Wren; safety plan reviewed."},
            follow=True,
        )

        self.assertRedirects(page, reverse("alerts:alert", args=[self.alert.pk]))
        self.alert.refresh_from_db()
        self.assertEqual(self.alert.acknowledged_by, self.therapist)
        self.assertContains(page, "Called Wren; safety plan reviewed.")
        self.assertContains(page, "Safety plan reviewed with the client")
        self.assertContains(page, "Alert acknowledged.")
        self.assertNotContains(page, 'name="action_note"')

    def test_it_says_when_the_alert_was_already_acknowledged(self) -> None:
        self.ack(self.therapist2, note="Tess called; safety plan made.")
        self.client.force_login(self.therapist)

        response = self.client.post(
            reverse("alerts:acknowledge", args=[self.alert.pk]),
            {"action": "cssrs", "action_note": "Me too: C-SSRS screen done."},
            follow=True,
        )

        self.assertContains(response, "already been acknowledged")
        self.alert.refresh_from_db()
        self.assertEqual(self.alert.action_note, "Tess called; safety plan made.")

    def test_it_keeps_the_note_within_the_limit(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(
            reverse("alerts:acknowledge", args=[self.alert.pk]),
            {"action": "safety_plan", "action_note": "x" * 4001},
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_action_note_error"')


class ClientPageTestCase(AlertTestCase):
    def test_it_lists_the_clients_alerts_open_first_with_an_acknowledge_link(self) -> None:
        (later,) = alert_raise_for_response(
            actor=ON_LINK, response=make_response(self.mine, self.phq9, q9=3)
        )
        self.ack(self.therapist, later, note="Called; plan made today.")
        self.client.force_login(self.therapist)

        response = self.client.get(self.mine.get_absolute_url())

        html = response.content.decode()
        self.assertContains(response, "Safety alerts: 1 open")
        self.assertContains(
            response, reverse("alerts:alert", args=[self.alert.pk]) + "#acknowledge"
        )
        self.assertLess(html.index("answered 2"), html.index("answered 3"))
        # The note is free text: it stays on the alert page, not the client page.
        self.assertNotContains(response, "Called; plan made today.")
        timeline = self.client.get(f"{self.mine.get_absolute_url()}timeline/")
        self.assertContains(timeline, "Safety alert raised")
        self.assertContains(timeline, "Safety alert acknowledged")
        self.assertNotContains(timeline, "Called; plan made today.")

    @override_settings(SAFETY_ALERT_ESCALATE_HOURS=1)
    def test_it_puts_the_escalation_on_the_timeline(self) -> None:
        alert_escalate_due(actor=SYSTEM, now=timezone.now() + dt.timedelta(hours=2))
        self.client.force_login(self.therapist)

        response = self.client.get(f"{self.mine.get_absolute_url()}timeline/")

        self.assertContains(response, "Safety alert escalated")


class GateTestCase(BaseTestCase):
    def safety_check(self, session: TreatmentSession) -> Check:
        checks, _ = dosing_readiness(session)
        return next(check for check in checks if check.key == "safety")

    def test_it_blocks_the_gate_until_acknowledged(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner)
        self.assertTrue(self.safety_check(ready.session).ok)
        answered = dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.UTC)
        (alert,) = alert_raise_for_response(
            actor=ON_LINK,
            response=make_response(ready.client, make_instrument(), answered_at=answered, q9=1),
        )

        check = self.safety_check(ready.session)
        self.assertFalse(check.ok)
        self.assertEqual(
            check.detail, "PHQ-9 item 9 answered 1 on 2026-03-04 — not yet acknowledged"
        )

        alert_acknowledge(
            actor=Actor.for_user(self.therapist),
            alert=alert,
            action=AlertAction.CSSRS,
            note="Called; C-SSRS done.",
        )

        check = self.safety_check(ready.session)
        self.assertTrue(check.ok)
        self.assertEqual(check.detail, "No unacknowledged safety alerts.")

    def test_it_is_not_blocked_by_another_clients_alert(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner)
        someone = make_client(first_name="Other", assigned_therapist=self.therapist2)
        alert_raise_for_response(
            actor=ON_LINK, response=make_response(someone, make_instrument(), q9=3)
        )

        self.assertTrue(self.safety_check(ready.session).ok)
        self.assertEqual(SafetyAlert.objects.count(), 1)


class CrisisTemplateTestCase(BaseTestCase):
    def test_it_shows_988_911_and_the_practice_phone(self) -> None:
        html = render_to_string(
            "measures/alerts/_crisis.html",
            {"practice": {"name": "Riverbend Therapy", "phone": "(555) 010-0100"}},
        )

        self.assertIn(
            "If you are thinking about suicide or harming yourself, please reach out now", html
        )
        self.assertIn('href="tel:988"', html)
        self.assertIn('href="sms:988"', html)
        self.assertIn('href="tel:911"', html)
        self.assertIn('href="tel:5550100100"', html)
        self.assertIn("(555) 010-0100", html)
