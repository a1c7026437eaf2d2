"""Who may see which dosing record.

Practice staff: the records of the clients they may see (clients_for_user).
Prescribers: the records dosed against a prescription on a referral to their own
partner organisation. Anything else answers 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from clients.access import clients_for_user
from dosing.models import DosingRecord
from partners.access import partner_id_of

RELATED = (
    "session__course__client",
    "prescription__referral__partner",
    "prescription__prescriber",
    "opened_by",
)


def records_for_user(request: AuthedRequest) -> QuerySet[DosingRecord]:
    return DosingRecord.objects.select_related(*RELATED).filter(
        session__course__client__in=clients_for_user(request)
    )


def get_record_for_user(request: AuthedRequest, pk: int) -> DosingRecord:
    return get_object_or_404(records_for_user(request), pk=pk)


def records_for_prescriber(request: AuthedRequest) -> QuerySet[DosingRecord]:
    partner_id = partner_id_of(request.user)
    if partner_id is None:
        return DosingRecord.objects.none()
    return DosingRecord.objects.select_related(*RELATED).filter(
        prescription__referral__partner_id=partner_id
    )


def get_record_for_prescriber(request: AuthedRequest, pk: int) -> DosingRecord:
    return get_object_or_404(records_for_prescriber(request), pk=pk)
