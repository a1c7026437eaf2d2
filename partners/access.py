"""Who may see which referral, and which partner organisation a user works for.

A prescriber sees only referrals to their own organisation, and only what the
referral shares (never the client record). Practice staff see the referrals of
the clients they may see. Anything else answers 404.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from accounts.models import User
from clients.access import clients_for_user
from partners.models import Partner, PartnerMembership, Referral


def _membership(user: User | AnonymousUser) -> PartnerMembership | None:
    # The reverse one-to-one is cached on the user object, found or not, so a
    # request that asks several times queries once (request.user is one object).
    if not user.is_authenticated:
        return None
    try:
        membership: PartnerMembership = user.partner_membership
    except PartnerMembership.DoesNotExist:
        return None
    return membership


def partner_id_of(user: User | AnonymousUser) -> int | None:
    """The id of the partner organisation the user works for, or None."""
    membership = _membership(user)
    return membership.partner_id if membership is not None else None


def partner_of(user: User | AnonymousUser) -> Partner | None:
    """The partner organisation the user works for, or None."""
    membership = _membership(user)
    return membership.partner if membership is not None else None


def referrals_for_prescriber(request: AuthedRequest) -> QuerySet[Referral]:
    partner_id = partner_id_of(request.user)
    if partner_id is None:
        return Referral.objects.none()
    return Referral.objects.filter(partner_id=partner_id).select_related("client", "partner")


def get_referral_for_prescriber(request: AuthedRequest, pk: int) -> Referral:
    return get_object_or_404(referrals_for_prescriber(request), pk=pk)


def referrals_for_staff(request: AuthedRequest) -> QuerySet[Referral]:
    return Referral.objects.filter(client__in=clients_for_user(request)).select_related(
        "client", "partner", "referred_by"
    )


def get_referral_for_staff(request: AuthedRequest, pk: int) -> Referral:
    return get_object_or_404(referrals_for_staff(request), pk=pk)
