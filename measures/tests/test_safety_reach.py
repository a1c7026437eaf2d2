"""Issue 8 §5: a safety alert always reaches someone.

With no assigned therapist who can be e-mailed and nobody on call, every active
admin is e-mailed when it is raised. Every clinician's dashboard shows every
open alert, with the client's name; prescribers and users without a role see none.
"""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from measures.alerts.queries import dashboard_alerts
from measures.alerts.safety import RAISE_ACTION, alert_raise_for_response
from measures.tests.factories import make_instrument, make_response
from measures.tests.support import ON_LINK
from notifications.models import OutboundEmail
from pathways.testing import BaseTestCase, make_client, make_user


class NobodyToTellTests(BaseTestCase):
    def setUp(self) -> None:
        self.admin2 = make_user("admin2", Role.ADMIN)
        make_user("old-admin", Role.ADMIN, is_active=False)

    def test_it_emails_every_admin_at_once_with_no_therapist_and_nobody_on_call(self) -> None:
        unassigned = make_client(first_name="Ada", last_name="Nobody")

        (alert,) = alert_raise_for_response(
            actor=ON_LINK, response=make_response(unassigned, make_instrument(), q9=2)
        )

        sent = sorted(OutboundEmail.objects.values_list("to", flat=True))
        self.assertEqual(sent, sorted([self.admin.email, self.admin2.email]))
        email = OutboundEmail.objects.filter(to=self.admin.email).get()
        self.assertIn("no therapist or on-call clinician could be e-mailed", email.body)
        self.assertNotIn("Ada", email.body)
        event = AuditEvent.objects.get(action=RAISE_ACTION)
        self.assertEqual(event.detail["notified"], [self.admin.pk, self.admin2.pk])
        self.assertIs(event.detail["to_admins"], True)
        self.assertIsNone(alert.escalated_at)  # at raise time, not by escalation

    def test_it_emails_every_admin_when_the_therapist_has_no_address(self) -> None:
        self.therapist.email = ""
        self.therapist.save()
        client = make_client(assigned_therapist=self.therapist)

        alert_raise_for_response(
            actor=ON_LINK, response=make_response(client, make_instrument(), q9=1)
        )

        sent = sorted(OutboundEmail.objects.values_list("to", flat=True))
        self.assertEqual(sent, sorted([self.admin.email, self.admin2.email]))

    def test_it_does_not_email_the_admins_when_the_therapist_can_be_told(self) -> None:
        client = make_client(assigned_therapist=self.therapist)

        alert_raise_for_response(
            actor=ON_LINK, response=make_response(client, make_instrument(), q9=1)
        )

        sent = list(OutboundEmail.objects.values_list("to", flat=True))
        self.assertEqual(sent, [self.therapist.email])
        self.assertNotIn("no therapist", OutboundEmail.objects.get().body)


class DashboardTests(BaseTestCase):
    def setUp(self) -> None:
        self.wren = make_client(
            first_name="Wren", last_name="Halloway", assigned_therapist=self.therapist
        )
        (self.alert,) = alert_raise_for_response(
            actor=ON_LINK, response=make_response(self.wren, make_instrument(), q9=3)
        )

    def test_it_shows_the_alert_with_the_clients_name_on_every_therapists_dashboard(
        self,
    ) -> None:
        self.assertFalse(self.therapist2.on_call)
        for user in (self.therapist, self.therapist2, self.admin, self.intake):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                response = self.client.get("/staff/")

                self.assertContains(response, "Safety alerts needing same-day follow-up")
                self.assertEqual(response.context["sections"]["alerts"].count, 1)
                self.assertContains(
                    response,
                    f'<a href="{reverse("alerts:alert", args=[self.alert.pk])}">Wren Halloway</a>',
                    html=True,
                )

    def test_it_lets_every_therapist_open_the_alert(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.client.get(reverse("alerts:alert", args=[self.alert.pk]))

        self.assertContains(response, "Wren Halloway")

    def test_it_audits_the_dashboard_reading_with_ids_only(self) -> None:
        self.client.force_login(self.therapist2)

        self.client.get("/staff/")

        # One entry for the whole Today page (issue 11 §1), with the alert ids.
        event = AuditEvent.objects.get(action="today.view")
        self.assertEqual(event.actor, self.therapist2)
        self.assertEqual(event.detail["alerts"], [self.alert.pk])

    def test_it_shows_prescribers_and_users_without_a_role_nothing(self) -> None:
        nobody = make_user("nobody", "")
        self.prescriber.on_call = True
        self.prescriber.save()

        self.assertEqual(dashboard_alerts(self.prescriber), [])
        self.assertEqual(dashboard_alerts(nobody), [])
        self.client.force_login(self.prescriber)
        self.assertNotContains(self.client.get("/staff/", follow=True), "Wren")
        self.assertEqual(
            self.client.get(reverse("alerts:alert", args=[self.alert.pk])).status_code, 403
        )
