"""Which prescriptions a user may see. Anything else answers 404.

A prescriber sees the prescriptions written on referrals to their own partner
organisation, only while the client's release of information to it is in force
(partners.access.shared, on every request; a revoked one answers "access ended").
Practice staff see the prescriptions of the clients they may see
(a therapist: their own clients).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from clients.access import clients_for_user
from partners.access import get_shared_or_ended, partner_id_of, shared
from prescriptions.models import Prescription

RELATED = ("client", "referral", "prescriber", "discontinued_by")


def _organisation_prescriptions(request: AuthedRequest) -> QuerySet[Prescription]:
    partner_id = partner_id_of(request.user)
    if partner_id is None:
        return Prescription.objects.none()
    return Prescription.objects.filter(referral__partner_id=partner_id).select_related(*RELATED)


def prescriptions_for_prescriber(request: AuthedRequest) -> QuerySet[Prescription]:
    """The prescriptions of the prescriber's organisation whose release is in force now."""
    return shared(_organisation_prescriptions(request), "referral__")


def get_prescription_for_prescriber(request: AuthedRequest, pk: int) -> Prescription:
    """AccessEnded when the release to the organisation ended, 404 for anything else."""
    return get_shared_or_ended(request, _organisation_prescriptions(request), pk, "referral__")


def prescriptions_for_staff(request: AuthedRequest) -> QuerySet[Prescription]:
    return Prescription.objects.filter(client__in=clients_for_user(request)).select_related(
        *RELATED
    )


def get_prescription_for_staff(request: AuthedRequest, pk: int) -> Prescription:
    return get_object_or_404(prescriptions_for_staff(request), pk=pk)
