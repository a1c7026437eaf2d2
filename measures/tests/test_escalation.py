"""Escalation: an alert nobody acknowledges within SAFETY_ALERT_ESCALATE_HOURS is
e-mailed to every active practice admin, once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role
from audit.models import AuditEvent
from measures.alerts.safety import ESCALATE_ACTION, alert_escalate_due, alert_raise_for_response
from measures.alerts.services import alert_acknowledge
from measures.models import AlertAction
from measures.tests.factories import make_instrument, make_response
from measures.tests.support import ON_LINK, SYSTEM
from notifications.models import OutboundEmail
from pathways.testing import BaseTestCase, make_client, make_user


@override_settings(SAFETY_ALERT_ESCALATE_HOURS=3, SITE_URL="https://pathways.example.org")
class EscalationTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client_record = make_client(
            first_name="Wren", last_name="Halloway", assigned_therapist=self.therapist
        )
        (self.alert,) = alert_raise_for_response(
            actor=ON_LINK, response=make_response(self.client_record, make_instrument(), q9=2)
        )
        OutboundEmail.objects.all().delete()  # the therapist's e-mail
        self.admin2 = make_user("admin2", Role.ADMIN)
        make_user("old-admin", Role.ADMIN, is_active=False)

    def at(self, hours: float) -> dt.datetime:
        return self.alert.raised_at + dt.timedelta(hours=hours)

    def test_it_does_not_escalate_before_the_configured_hours(self) -> None:
        self.assertEqual(alert_escalate_due(actor=SYSTEM, now=self.at(2.9)), [])

        self.alert.refresh_from_db()
        self.assertIsNone(self.alert.escalated_at)
        self.assertFalse(OutboundEmail.objects.exists())

    def test_it_escalates_to_the_active_admins_after_the_configured_hours(self) -> None:
        now = self.at(3)

        self.assertEqual(alert_escalate_due(actor=SYSTEM, now=now), [self.alert])

        self.alert.refresh_from_db()
        self.assertEqual(self.alert.escalated_at, now)
        sent = sorted(OutboundEmail.objects.values_list("to", flat=True))
        self.assertEqual(sent, sorted([self.admin.email, self.admin2.email]))
        event = AuditEvent.objects.get(action=ESCALATE_ACTION)
        self.assertIsNone(event.actor)
        self.assertEqual(event.client_id, self.client_record.pk)
        self.assertEqual(event.detail["notified"], [self.admin.pk, self.admin2.pk])

    def test_it_sends_a_link_and_no_phi(self) -> None:
        alert_escalate_due(actor=SYSTEM, now=self.at(4))

        email = OutboundEmail.objects.filter(to=self.admin.email).get()
        self.assertIn(
            f"Sign in to see it: https://pathways.example.org/staff/measures/alerts/{self.alert.pk}/",
            email.body,
        )
        self.assertIn("within 3 hours", email.body)
        for phi in ("Wren", "Halloway", "PHQ", "item 9", "Thoughts", "More than half"):
            self.assertNotIn(phi, f"{email.subject}\n{email.body}")

    def test_it_escalates_only_once(self) -> None:
        alert_escalate_due(actor=SYSTEM, now=self.at(3))
        OutboundEmail.objects.all().delete()

        self.assertEqual(alert_escalate_due(actor=SYSTEM, now=self.at(5)), [])
        self.assertFalse(OutboundEmail.objects.exists())
        self.assertEqual(AuditEvent.objects.filter(action=ESCALATE_ACTION).count(), 1)

    def test_it_does_not_escalate_an_acknowledged_alert(self) -> None:
        alert_acknowledge(
            actor=Actor.for_user(self.therapist),
            alert=self.alert,
            action=AlertAction.SAFETY_PLAN,
            note="Called; safety plan made.",
        )

        self.assertEqual(alert_escalate_due(actor=SYSTEM, now=self.at(10)), [])
        self.assertFalse(OutboundEmail.objects.exists())

    @override_settings(SAFETY_ALERT_ESCALATE_HOURS=8)
    def test_it_reads_the_hours_from_the_settings(self) -> None:
        self.assertEqual(alert_escalate_due(actor=SYSTEM, now=self.at(7.5)), [])
        self.assertEqual(alert_escalate_due(actor=SYSTEM, now=self.at(8)), [self.alert])

    def test_it_runs_from_the_management_command(self) -> None:
        self.alert.raised_at = timezone.now() - dt.timedelta(hours=4)
        self.alert.save(update_fields=["raised_at"])
        out = StringIO()

        call_command("escalate_safety_alerts", stdout=out)
        call_command("escalate_safety_alerts", stdout=out)

        self.assertIn("Escalated 1 safety alert(s)", out.getvalue())
        self.assertIn("Escalated 0 safety alert(s)", out.getvalue())
        self.assertEqual(OutboundEmail.objects.count(), 2)
        self.assertNotIn("Wren", out.getvalue())

    def test_it_shows_the_escalation_on_the_alert_page(self) -> None:
        alert_escalate_due(actor=SYSTEM, now=self.at(3))
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/measures/alerts/{self.alert.pk}/")

        self.assertContains(response, "Escalated")
        self.assertContains(response, self.admin2.display_name)
