"""Who may reach which prescription URL: every view of prescriptions/urls.py and
prescriptions/portal_urls.py (see pathways.testing.permission_matrix).

The practice reads a prescription; only the partner's prescriber writes one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import Role
from partners.models import ReferralStatus
from pathways.testing import (
    Entry,
    Fixture,
    make_partner,
    make_phi_client,
    make_prescriber,
    make_prescription,
    make_referral,
    make_user,
    permission_matrix,
)
from prescriptions.models import Prescription

PRACTICE = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
PRESCRIBERS = {Role.PRESCRIBER}


def _rx_form(**changes: str) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "modality": "both",
        "route": "sublingual",
        "dose_mg": "100",
        "sessions_authorised": "6",
        "valid_from": (today - dt.timedelta(days=1)).isoformat(),
        "valid_to": (today + dt.timedelta(days=90)).isoformat(),
        "fasting_solids_hours": "4",
        "fasting_liquids_hours": "2",
        "hold_0_medication": "Benzodiazepines",
        "hold_0_hours": "24",
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
    data.update(changes)
    return data


MATRIX: dict[str, Entry] = {
    "prescriptions:detail": Entry("GET", PRACTICE, "rx"),
    "portal_rx:new": Entry("GET POST", PRESCRIBERS, "referral", _rx_form(), writes=True),
    "portal_rx:detail": Entry("GET", PRESCRIBERS, "rx"),
    # The list: after revocation, or for another partner, allowed and empty (no PHI).
    "portal_rx:list": Entry("GET", PRESCRIBERS),
    "portal_rx:revise": Entry("GET POST", PRESCRIBERS, "rx", _rx_form(dose_mg="150"), writes=True),
    "portal_rx:discontinue": Entry("POST", PRESCRIBERS, "rx", {"reason": "Stopped."}, writes=True),
}


def practice() -> Fixture:
    partner = make_partner()
    users = {role: make_user(f"user-{role}", role) for role in PRACTICE}
    users[Role.PRESCRIBER] = make_prescriber("user-prescriber", partner)
    therapist = users[Role.THERAPIST]
    # Every object is one each allowed user may see: the therapist's clients,
    # referred to the prescriber's partner and evaluated eligible.
    treated = make_phi_client(therapist)
    treated_referral = make_referral(treated, partner, therapist, status=ReferralStatus.ELIGIBLE)
    waiting = make_phi_client(therapist, 1)
    return {
        "users": users,
        "rx": make_prescription(treated_referral, users[Role.PRESCRIBER]),
        "referral": make_referral(waiting, partner, therapist, status=ReferralStatus.ELIGIBLE),
    }


def snapshot() -> Any:
    return list(Prescription.objects.order_by("id").values_list("id", "status", "version"))


TestPrescriptionsMatrix = permission_matrix(MATRIX, practice, snapshot)
