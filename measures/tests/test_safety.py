"""Raising safety alerts: PHQ-9 item 9 above 0, read from the instrument definition."""

from __future__ import annotations

from accounts.actor import Actor
from accounts.models import Role
from audit.models import AuditEvent
from measures.alerts.safety import RAISE_ACTION, alert_raise_for_response
from measures.models import SafetyAlert
from measures.tests.factories import make_instrument, make_response
from measures.tests.support import GAD7, ON_LINK, PHQ9, copy_of
from notifications.models import OutboundEmail
from pathways.testing import BaseTestCase, make_client, make_prescriber, make_user


class RaiseAlertsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client_record = make_client(
            first_name="Wren", last_name="Halloway", assigned_therapist=self.therapist
        )
        self.phq9 = make_instrument(PHQ9)

    def test_it_raises_nothing_when_item_9_is_0(self) -> None:
        response = make_response(self.client_record, self.phq9, q1=3, q2=3, q9=0)

        self.assertEqual(alert_raise_for_response(actor=ON_LINK, response=response), [])
        self.assertFalse(SafetyAlert.objects.exists())
        self.assertFalse(OutboundEmail.objects.exists())

    def test_it_raises_one_alert_for_any_answer_above_0(self) -> None:
        for value in (1, 2, 3):
            with self.subTest(value=value):
                response = make_response(self.client_record, self.phq9, q9=value)

                alerts = alert_raise_for_response(actor=ON_LINK, response=response)

                self.assertEqual(len(alerts), 1)
                alert = alerts[0]
                self.assertEqual((alert.item, alert.value), (9, value))
                self.assertEqual(alert.client, self.client_record)
                self.assertEqual(alert.response, response)
                self.assertTrue(alert.is_open)
                self.assertEqual(SafetyAlert.objects.filter(response=response).count(), 1)

    def test_it_is_idempotent_per_response_and_item(self) -> None:
        response = make_response(self.client_record, self.phq9, q9=2)

        first = alert_raise_for_response(actor=ON_LINK, response=response)
        second = alert_raise_for_response(actor=ON_LINK, response=response)

        self.assertEqual(first, second)
        self.assertEqual(SafetyAlert.objects.count(), 1)
        self.assertEqual(OutboundEmail.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action=RAISE_ACTION).count(), 1)

    def test_it_reads_the_safety_items_from_the_definition(self) -> None:
        made_up = copy_of(GAD7)
        made_up.update(code="madeup", short_name="MADE-7", name="A made-up instrument")
        made_up["items"][2].update(safety_item=True, safety_threshold=1, safety_source="Test.")
        instrument = make_instrument(made_up)

        self.assertEqual(
            alert_raise_for_response(
                actor=ON_LINK, response=make_response(self.client_record, instrument, q3=1)
            ),
            [],
        )
        self.assertEqual(
            alert_raise_for_response(
                actor=ON_LINK, response=make_response(self.client_record, instrument, q7=3)
            ),
            [],
        )
        alerts = alert_raise_for_response(
            actor=ON_LINK, response=make_response(self.client_record, instrument, q3=2)
        )

        self.assertEqual([(a.item, a.value) for a in alerts], [(3, 2)])

    def test_it_raises_nothing_for_an_item_the_definition_does_not_mark(self) -> None:
        unmarked = copy_of(PHQ9)
        unmarked.update(code="phq9-unmarked")
        unmarked["items"][8]["safety_item"] = False
        instrument = make_instrument(unmarked)

        self.assertEqual(
            alert_raise_for_response(
                actor=ON_LINK, response=make_response(self.client_record, instrument, q9=3)
            ),
            [],
        )

    def test_it_raises_one_alert_per_flagged_item_and_one_email_per_person(self) -> None:
        two = copy_of(GAD7)
        two.update(code="two-safety", short_name="TWO-7")
        for index in (0, 6):
            two["items"][index].update(safety_item=True, safety_threshold=0, safety_source="T.")
        instrument = make_instrument(two)

        alerts = alert_raise_for_response(
            actor=ON_LINK, response=make_response(self.client_record, instrument, q1=1, q7=2)
        )

        self.assertEqual(sorted((a.item, a.value) for a in alerts), [(1, 1), (7, 2)])
        self.assertEqual(
            list(OutboundEmail.objects.values_list("to", flat=True)), [self.therapist.email]
        )

    def test_it_emails_the_therapist_and_the_on_call_clinicians_once_each(self) -> None:
        self.therapist.on_call = True  # also on call: still one e-mail
        self.therapist.save()
        self.therapist2.on_call = True
        self.therapist2.save()
        make_user("gone", Role.THERAPIST, on_call=True, is_active=False)
        make_prescriber("partner-on-call", self.partner, on_call=True)
        no_address = make_user("no-address", Role.THERAPIST, on_call=True)
        no_address.email = ""
        no_address.save()
        same = make_user("twin", Role.ADMIN, on_call=True)
        same.email = self.therapist2.email.upper()
        same.save()
        response = make_response(self.client_record, self.phq9, q9=3)

        (alert,) = alert_raise_for_response(actor=ON_LINK, response=response)

        sent = list(OutboundEmail.objects.order_by("to").values_list("to", flat=True))
        self.assertEqual(sent, sorted([self.therapist.email, self.therapist2.email]))
        event = AuditEvent.objects.get(action=RAISE_ACTION)
        self.assertEqual(event.object_id, str(alert.pk))
        self.assertEqual(event.client_id, self.client_record.pk)
        self.assertEqual(
            event.detail,
            {
                "response": response.pk,
                "item": 9,
                "notified": [self.therapist.pk, self.therapist2.pk],
            },
        )

    def test_it_does_not_email_the_admin_or_intake_unless_on_call(self) -> None:
        alert_raise_for_response(
            actor=ON_LINK, response=make_response(self.client_record, self.phq9, q9=1)
        )

        self.assertEqual(
            list(OutboundEmail.objects.values_list("to", flat=True)), [self.therapist.email]
        )

    def test_it_emails_the_on_call_clinician_when_no_therapist_is_assigned(self) -> None:
        self.therapist2.on_call = True
        self.therapist2.save()
        unassigned = make_client(first_name="Ada", last_name="Nobody")

        alerts = alert_raise_for_response(
            actor=ON_LINK, response=make_response(unassigned, self.phq9, q9=1)
        )

        self.assertEqual(len(alerts), 1)
        self.assertEqual(
            list(OutboundEmail.objects.values_list("to", flat=True)), [self.therapist2.email]
        )

    def test_it_sends_a_link_and_no_phi(self) -> None:
        with self.settings(SITE_URL="https://pathways.example.org"):
            (alert,) = alert_raise_for_response(
                actor=ON_LINK, response=make_response(self.client_record, self.phq9, q9=2)
            )

        email = OutboundEmail.objects.get()
        self.assertEqual(email.subject, "Safety alert: action needed")
        self.assertIn(
            "A questionnaire answer needs same-day clinical follow-up. Sign in to see it: "
            f"https://pathways.example.org/staff/measures/alerts/{alert.pk}/",
            email.body,
        )
        text = f"{email.subject}\n{email.body}"
        item_text = PHQ9["items"][8]["text"]
        for phi in (
            "Wren",
            "Halloway",
            item_text,
            "PHQ",
            "item 9",
            "More than half the days",
            self.client_record.email,
        ):
            self.assertNotIn(phi, text)
        link_free = text.replace(f"/alerts/{alert.pk}/", "/alerts/N/")
        self.assertNotIn("2", link_free.replace("pathways.example.org", ""))

    def test_it_records_the_staff_user_who_entered_a_paper_form(self) -> None:
        alert_raise_for_response(
            actor=Actor.for_user(self.intake),
            response=make_response(self.client_record, self.phq9, q9=1),
        )

        self.assertEqual(AuditEvent.objects.get(action=RAISE_ACTION).actor, self.intake)
