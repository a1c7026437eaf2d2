"""Which prescriptions a user may see. Anything else answers 404.

A prescriber sees the prescriptions written on referrals to their own partner
organisation. Practice staff see the prescriptions of the clients they may see
(a therapist: their own clients).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from clients.access import clients_for_user
from partners.access import partner_id_of
from prescriptions.models import Prescription

RELATED = ("client", "referral", "prescriber", "discontinued_by")


def prescriptions_for_prescriber(request: AuthedRequest) -> QuerySet[Prescription]:
    partner_id = partner_id_of(request.user)
    if partner_id is None:
        return Prescription.objects.none()
    return Prescription.objects.filter(referral__partner_id=partner_id).select_related(*RELATED)


def get_prescription_for_prescriber(request: AuthedRequest, pk: int) -> Prescription:
    return get_object_or_404(prescriptions_for_prescriber(request), pk=pk)


def prescriptions_for_staff(request: AuthedRequest) -> QuerySet[Prescription]:
    return Prescription.objects.filter(client__in=clients_for_user(request)).select_related(
        *RELATED
    )


def get_prescription_for_staff(request: AuthedRequest, pk: int) -> Prescription:
    return get_object_or_404(prescriptions_for_staff(request), pk=pk)
