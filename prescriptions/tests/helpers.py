"""Shared set-up for the prescription tests: a client of `therapist`, referred by
them to `partner` and evaluated eligible."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.utils import timezone

from partners.models import ReferralStatus
from pathways.testing import BaseTestCase, make_client, make_referral
from prescriptions.terms import PrescriptionTerms


def rx_data(**overrides: Any) -> dict[str, str]:
    """A valid form submission, as strings the way a browser sends them."""
    today = timezone.localdate()
    data = {
        "modality": "kap",
        "route": "sublingual",
        "weight_kg": "",
        "dose_mg_per_kg": "",
        "dose_mg": "100",
        "booster_mg": "",
        "booster_after_minutes": "",
        "range_override_reason": "",
        "fasting_solids_hours": "4",
        "fasting_liquids_hours": "2",
        "hold_0_medication": "Benzodiazepines",
        "hold_0_hours": "24",
        "sessions_authorised": "6",
        "valid_from": today.isoformat(),
        "valid_to": (today + dt.timedelta(days=90)).isoformat(),
        "holds_instructions": "No benzodiazepines for 24 hours before.",
        "fasting_instructions": "No food for 4 hours before.",
        "min_systolic": "90",
        "max_systolic": "140",
        "min_diastolic": "50",
        "max_diastolic": "90",
        "hr_min": "50",
        "hr_max": "110",
        "spo2_min": "94",
        "spo2_max": "100",
    }
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def rx_terms(**overrides: Any) -> PrescriptionTerms:
    """The terms of `rx_data()` as the form hands them to the services, with `overrides`
    (typed values) replacing some."""
    from prescriptions.forms import PrescriptionForm

    form = PrescriptionForm(rx_data())
    assert form.is_valid(), form.errors
    return replace(form.terms(), **overrides)


class RxTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rx_client = make_client(
            first_name="Marisol", last_name="Quintero", assigned_therapist=self.therapist
        )
        self.referral = make_referral(
            self.rx_client, self.partner, self.therapist, status=ReferralStatus.ELIGIBLE
        )
