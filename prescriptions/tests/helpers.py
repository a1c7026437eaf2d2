"""Shared set-up for the prescription tests: a client of `therapist`, referred by
them to `partner` and evaluated eligible."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from partners.models import ReferralStatus
from pathways.testing import BaseTestCase, make_client, make_referral


def rx_data(**overrides: Any) -> dict[str, str]:
    """A valid form submission, as strings the way a browser sends them."""
    today = timezone.localdate()
    data = {
        "route": "sublingual",
        "dose_mg": "100",
        "booster_mg": "",
        "sessions_authorised": "6",
        "valid_from": today.isoformat(),
        "valid_to": (today + dt.timedelta(days=90)).isoformat(),
        "holds_instructions": "No benzodiazepines for 24 hours before.",
        "fasting_instructions": "No food for 4 hours before.",
        "max_systolic": "140",
        "max_diastolic": "90",
        "hr_min": "50",
        "hr_max": "110",
        "spo2_min": "94",
    }
    data.update({key: str(value) for key, value in overrides.items()})
    return data


class RxTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rx_client = make_client(
            first_name="Marisol", last_name="Quintero", assigned_therapist=self.therapist
        )
        self.referral = make_referral(
            self.rx_client, self.partner, self.therapist, status=ReferralStatus.ELIGIBLE
        )
