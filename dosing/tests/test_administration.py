from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from audit.models import AuditEvent
from dosing import services
from dosing.models import Administration
from dosing.tests.support import (
    actor_as,
    add_vitals,
    ago,
    cleared,
    give_dose,
    local,
    open_record,
    post_data,
)
from pathways.testing import BaseTestCase


class AdministrationTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(
            self.therapist, self.prescriber, self.partner, booster_mg=Decimal("50")
        )
        cleared(self.record, self.therapist)
        self.client.force_login(self.therapist)

    def _post(self, kind: str = "dose", **fields: Any) -> Any:
        data = {
            "dose_mg": "100",
            "given_at": local(ago(5)),
            "given_by": self.therapist.pk,
            "witnessed_by": self.admin.pk,
            **fields,
        }
        return self.client.post(
            reverse(f"dosing:{kind}", args=[self.record.pk]), post_data(kind, **data)
        )

    def test_it_refuses_a_dose_above_the_prescription(self) -> None:
        response = self._post(dose_mg="100.5")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "cannot exceed the prescription&#x27;s 100.0 mg")
        self.assertContains(response, 'value="100.5"')
        self.assertFalse(Administration.objects.exists())
        with self.assertRaises(services.DosingError) as refused:
            give_dose(self.record, self.therapist, self.admin, mg="150")
        self.assertIn("cannot exceed", str(refused.exception))
        self.assertFalse(Administration.objects.exists())
        self.assertTrue(AuditEvent.objects.filter(action="dosing.administer_refused").exists())

    def test_it_accepts_the_prescribed_dose_with_the_prescribed_route(self) -> None:
        response = self._post()

        self.assertRedirects(response, reverse("dosing:record", args=[self.record.pk]))
        given = Administration.objects.get()
        self.assertEqual(given.dose_mg, Decimal("100"))
        self.assertEqual(given.route, "sublingual")
        self.assertEqual(given.given_by, self.therapist)
        self.assertEqual(given.witnessed_by, self.admin)
        event = AuditEvent.objects.get(action="dosing.administer")
        self.assertEqual(event.detail["administration"], given.pk)

    def test_it_accepts_and_records_a_lower_dose(self) -> None:
        self._post(dose_mg="75")

        self.assertEqual(Administration.objects.get().dose_mg, Decimal("75"))

    def test_it_ignores_a_route_in_a_crafted_post(self) -> None:
        self._post(route="intramuscular", **{"dose-route": "intramuscular"})

        self.assertEqual(Administration.objects.get().route, "sublingual")

    def test_it_refuses_a_second_dose(self) -> None:
        give_dose(self.record, self.therapist, self.admin)

        response = self._post(dose_mg="50")

        self.assertEqual(response.status_code, 302)
        self.assertEqual(Administration.objects.count(), 1)

    def test_it_refuses_the_same_person_giving_and_witnessing(self) -> None:
        response = self._post(witnessed_by=self.therapist.pk)

        self.assertContains(response, "The witness must be someone other than the giver.")
        self.assertFalse(Administration.objects.exists())
        with self.assertRaises(services.DosingError):
            give_dose(self.record, self.therapist, self.therapist)

    def test_it_refuses_a_prescriber_as_giver_or_witness(self) -> None:
        response = self._post(witnessed_by=self.prescriber.pk)

        self.assertEqual(response.status_code, 200)
        self.assertFalse(Administration.objects.exists())

    def _booster_due(self) -> None:
        """The dose 40 minutes ago (the booster may follow after 30) and a monitoring
        set 10 minutes ago: only the amount is left for the booster's rules to judge."""
        self.record.vitals.update(taken_at=ago(50))  # the baseline, before the dose
        give_dose(self.record, self.therapist, self.admin, minutes_ago=40)
        add_vitals(self.record, self.therapist, phase="monitoring", minutes_ago=10)

    def test_it_gives_a_booster_within_the_authorised_amount_after_the_dose(self) -> None:
        self._booster_due()

        self._post("booster", dose_mg="50")

        booster = Administration.objects.get(kind="booster")
        self.assertEqual(booster.dose_mg, Decimal("50"))
        self.assertEqual(booster.route, "sublingual")

    def test_it_refuses_a_booster_above_the_authorised_amount(self) -> None:
        self._booster_due()

        response = self._post("booster", dose_mg="60")

        self.assertContains(response, "cannot exceed the prescription&#x27;s 50.0 mg")
        with self.assertRaises(services.DosingError) as refused:
            services.administration_add(
                actor=actor_as(self.therapist),
                record=self.record,
                kind="booster",
                dose_mg=Decimal("60"),
                given_at=ago(5),
                given_by=self.therapist,
                witnessed_by=self.admin,
            )
        self.assertEqual(
            refused.exception.reasons,
            ["The booster cannot exceed the 50.0 mg of prescription version 1."],
        )
        self.assertFalse(Administration.objects.filter(kind="booster").exists())

    def test_it_refuses_a_booster_before_the_dose(self) -> None:
        response = self._post("booster", dose_mg="50")

        self.assertEqual(response.status_code, 302)
        self.assertFalse(Administration.objects.exists())

    def test_it_refuses_a_booster_the_prescription_does_not_authorise(self) -> None:
        self.record.prescription.booster_mg = None
        self.record.prescription.save()
        give_dose(self.record, self.therapist, self.admin, minutes_ago=30)
        page = self.client.get(reverse("dosing:record", args=[self.record.pk]))

        response = self._post("booster", dose_mg="10")

        self.assertNotContains(page, "Record the booster")
        self.assertContains(page, "does not authorise a booster")
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Administration.objects.filter(kind="booster").exists())

    def test_it_refuses_a_dose_against_a_discontinued_prescription(self) -> None:
        self.record.prescription.status = "discontinued"
        self.record.prescription.save()

        with self.assertRaises(services.DosingError):
            give_dose(self.record, self.therapist, self.admin)

    def test_it_answers_404_to_another_therapist(self) -> None:
        self.client.force_login(self.therapist2)

        response = self._post(given_by=self.therapist2.pk)

        self.assertEqual(response.status_code, 404)
        self.assertFalse(Administration.objects.exists())

    def test_it_prefills_the_prescribed_dose_as_the_maximum(self) -> None:
        response = self.client.get(reverse("dosing:record", args=[self.record.pk]))

        self.assertContains(response, 'max="100.0"')
        self.assertContains(response, 'name="dose-dose_mg" value="100.0"')
        self.assertContains(response, "Sublingual rapid-dissolve tablet or troche")
