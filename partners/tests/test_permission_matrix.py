"""Who may reach which referral URL: every view of partners/urls.py and
partners/portal_urls.py (see pathways.testing.permission_matrix).

Referring and answering are for CLINICAL; reading a referral, and the accounting
of a client's disclosures, for CLIENT_ROLES; the partner portal for prescribers,
and for them only while the client's release is in force (the matrix role
"prescriber after revocation" gets the "access ended" page).
"""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from consents.models import ConsentKind
from partners.models import Referral, ReferralEvent, ReferralStatus
from partners.tests.helpers import in_a_week, local_input, referral_form
from pathways.testing import (
    STAFF_ROLES,
    Entry,
    Fixture,
    make_partner,
    make_phi_client,
    make_prescriber,
    make_referral,
    make_signed_consent,
    make_user,
    permission_matrix,
)

CLIENT_ROLES = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
CLINICAL = {Role.ADMIN, Role.THERAPIST}
PARTNER = {Role.PRESCRIBER}


def _referral_form(practice: Fixture) -> dict[str, Any]:
    return referral_form(practice["partner"].pk)


def _evaluation(practice: Fixture) -> dict[str, Any]:
    return {"schedule-evaluation_at": local_input(in_a_week())}


MATRIX: dict[str, Entry] = {
    "partners:new": Entry("GET POST", CLINICAL, "new_client", _referral_form, writes=True),
    "partners:referral": Entry("GET", CLIENT_ROLES, "needs_info"),
    "partners:answer": Entry("POST", CLINICAL, "needs_info", {"answer-text": "Yes."}),
    "partners:close": Entry("POST", CLINICAL, "needs_info", {"close-text": ""}),
    "partners:disclosures": Entry("GET", CLIENT_ROLES, "client"),
    "portal:home": Entry("GET", PARTNER),
    "portal:referral": Entry("GET", PARTNER, "scheduled"),
    "portal:schedule": Entry("POST", PARTNER, "scheduled", _evaluation),
    "portal:evaluate": Entry("POST", PARTNER, "scheduled", {"evaluate-result": "eligible"}),
    "portal:close": Entry("POST", PARTNER, "scheduled", {"close-text": ""}),
}


def practice() -> Fixture:
    partner = make_partner()
    users = {
        role: make_prescriber(f"user-{role}", partner)
        if role == Role.PRESCRIBER
        else make_user(f"user-{role}", role)
        for role in STAFF_ROLES
    }
    therapist = users[Role.THERAPIST]
    # Every object is one each allowed role may see: the therapist's client, referred
    # to the prescriber's organisation, in a status where the step is allowed.
    client = make_phi_client(therapist)
    # A client with a release to the partner and no referral yet, to refer.
    new_client = make_phi_client(therapist, 1)
    make_signed_consent(new_client, ConsentKind.ROI, partner)
    return {
        "users": users,
        "partner": partner,
        "client": client,
        "new_client": new_client,
        "needs_info": make_referral(client, partner, therapist, status=ReferralStatus.NEEDS_INFO),
        "scheduled": make_referral(client, partner, therapist, status=ReferralStatus.SCHEDULED),
    }


def snapshot() -> Any:
    return (
        list(Referral.objects.order_by("id").values_list("id", "status", "evaluation_at")),
        ReferralEvent.objects.count(),
    )


TestReferralsMatrix = permission_matrix(MATRIX, practice, snapshot)
