"""Validity dates at the edges (issue 10 §5): a prescription valid from 0001-01-01 to
9999-12-31 is refused beside each date, by the form and by the service."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.actor import Actor
from common.dates import prescription_days
from prescriptions import services
from prescriptions.forms import PrescriptionForm
from prescriptions.models import Prescription
from prescriptions.tests.helpers import RxTestCase, rx_data, rx_terms


class ValidityEdgeTests(RxTestCase):
    def test_the_form_refuses_0001_01_01_to_9999_12_31_beside_each_date(self) -> None:
        form = PrescriptionForm(rx_data(valid_from="0001-01-01", valid_to="9999-12-31"))

        self.assertFalse(form.is_valid())
        self.assertIn("Enter a day from", form.errors["valid_from"][0])
        self.assertIn("Enter a day from", form.errors["valid_to"][0])

    def test_the_portal_page_shows_the_message_and_stores_nothing(self) -> None:
        self.client.force_login(self.prescriber)
        data = rx_data(valid_from="0001-01-01", valid_to="9999-12-31")

        response = self.client.post(f"/partner/prescriptions/new/{self.referral.pk}/", data)

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_valid_from_error"')
        self.assertContains(response, 'id="id_valid_to_error"')
        self.assertContains(response, 'value="9999-12-31"')
        self.assertFalse(Prescription.objects.exists())

    def test_the_service_refuses_dates_outside_the_range(self) -> None:
        actor = Actor.for_user(self.prescriber)
        days = prescription_days()
        for overrides in (
            {"valid_from": dt.date(1, 1, 1)},
            {"valid_to": dt.date(9999, 12, 31)},
            {"valid_to": days.latest + dt.timedelta(days=1)},
            {"valid_from": days.earliest - dt.timedelta(days=1)},
        ):
            with self.subTest(overrides=overrides):
                with self.assertRaises(services.PrescriptionError) as refused:
                    services.prescription_write(
                        actor=actor, referral=self.referral, terms=rx_terms(**overrides)
                    )
                self.assertTrue({"valid_from", "valid_to"} & set(refused.exception.errors))
        self.assertFalse(Prescription.objects.exists())

    def test_it_accepts_a_validity_within_the_range(self) -> None:
        today = timezone.localdate()
        form = PrescriptionForm(
            rx_data(valid_from=today.isoformat(), valid_to=prescription_days().latest.isoformat())
        )

        self.assertTrue(form.is_valid(), form.errors)
