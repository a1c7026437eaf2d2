"""Test factories for partners: a partner organisation, a prescriber who works for it,
and a referral to it (with its release, unless one is given). Tests import them from
pathways.testing."""

from __future__ import annotations

from typing import Any

from accounts.models import Role, User
from accounts.tests.factories import make_user
from clients.models import Client
from consents.models import ConsentKind
from consents.tests.factories import make_signed_consent
from partners.models import Partner, Referral, ReferralStatus
from partners.services import membership_set


def make_partner(name: str = "Blue Ridge Psychiatry", **extra: Any) -> Partner:
    return Partner.objects.create(name=name, email="office@partner.example", **extra)


def make_prescriber(
    username: str, partner: Partner, role: str = Role.PRESCRIBER, **extra: Any
) -> User:
    """A user who works for `partner` (partners.PartnerMembership): a prescriber,
    unless `role` says otherwise."""
    user = make_user(username, role, **extra)
    membership_set(user=user, partner=partner)
    return user


def make_referral(client: Client, partner: Partner, referred_by: User, **extra: Any) -> Referral:
    release = extra.pop("release", None) or make_signed_consent(client, ConsentKind.ROI, partner)
    data: dict[str, Any] = {
        "reason": "Treatment-resistant depression; exploring KAP.",
        "diagnoses": [{"code": "F33.1", "description": "Major depressive disorder, recurrent"}],
        "medications": ["Sertraline 100 mg daily"],
        "prescreen": {"hypertension": "no"},
        "status": ReferralStatus.SENT,
    }
    data.update(extra)
    return Referral.objects.create(
        client=client, partner=partner, referred_by=referred_by, release=release, **data
    )
