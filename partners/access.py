"""Who may see which referral.

A prescriber sees only referrals to their own organisation, and only what the
referral shares (never the client record). Practice staff see the referrals of
the clients they may see. Anything else answers 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from clients.access import clients_for_user
from partners.models import Referral


def referrals_for_prescriber(request: AuthedRequest) -> QuerySet[Referral]:
    partner_id = request.user.partner_id
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
