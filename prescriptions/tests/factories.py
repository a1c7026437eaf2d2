"""Test factories for prescriptions: a prescription in force, for both modalities,
with every safety term set. Tests import it from pathways.testing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import User
from partners.models import Referral
from prescriptions.models import Prescription, Route, RxModality


def make_prescription(referral: Referral, prescriber: User, **extra: Any) -> Prescription:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "route": Route.SUBLINGUAL,
        "dose_mg": Decimal("100"),
        "sessions_authorised": 6,
        "valid_from": today - dt.timedelta(days=1),
        "valid_to": today + dt.timedelta(days=90),
        # Both modalities, so that a test of either course doses; the modality rule
        # has tests of its own.
        "modality": RxModality.BOTH,
        "fasting_solids_hours": Decimal("4"),
        "fasting_liquids_hours": Decimal("2"),
        "holds": [{"medication": "Benzodiazepines", "hours": 24}],
        "fasting_instructions": "No food for 4 hours before.",
        "holds_instructions": "No benzodiazepines for 24 hours before.",
        "max_systolic": 140,
        "max_diastolic": 90,
        "hr_min": 50,
        "hr_max": 110,
        "spo2_min": 94,
    }
    data.update(extra)
    if data.get("booster_mg") is not None:
        data.setdefault("booster_after_minutes", 30)
    return Prescription.objects.create(
        client=referral.client, referral=referral, prescriber=prescriber, **data
    )
