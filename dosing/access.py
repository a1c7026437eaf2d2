"""Who may see which dosing record.

Practice staff: the records of the clients they may see (clients_for_user).
Prescribers: the records dosed against a prescription on a referral to their own
partner organisation, only while the client's release of information to it is in
force (partners.access.shared, on every request; a revoked one answers "access
ended"). Anything else answers 404.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.access import AuthedRequest
from clients.access import clients_for_user, first_visible
from clients.models import Client
from clients.queries import all_clients, assigned_to
from common.prepared import Prepared, first_query
from dosing.models import DosingRecord
from partners.access import get_shared_or_ended, partner_id_of, shared

RELATED = (
    "session__course__client",
    "prescription__referral__partner",
    "prescription__prescriber",
    "opened_by",
)


def records_for_user(request: AuthedRequest) -> QuerySet[DosingRecord]:
    return _records(clients_for_user(request))


def _records(clients: QuerySet[Client]) -> QuerySet[DosingRecord]:
    return DosingRecord.objects.select_related(*RELATED).filter(
        session__course__client__in=clients
    )


def get_record_for_user(request: AuthedRequest, pk: int) -> DosingRecord:
    return first_visible(
        request, pk, practice=_practice_record, own=_own_record, orm=records_for_user
    )


# `records_for_user(...).filter(pk=pk)` for each shape of `clients_visible_to`
# (dosing/tests/test_record_access.py compares them with it, for every role).
@Prepared
def _practice_record(*, pk: int) -> QuerySet[DosingRecord]:
    return first_query(_records(all_clients()).filter(pk=pk))


@Prepared
def _own_record(*, pk: int, therapist: int) -> QuerySet[DosingRecord]:
    return first_query(_records(assigned_to(therapist)).filter(pk=pk))


# Where a record's referral is, for partners.access.shared.
REFERRAL_PATH = "prescription__referral__"


def _organisation_records(request: AuthedRequest) -> QuerySet[DosingRecord]:
    partner_id = partner_id_of(request.user)
    if partner_id is None:
        return DosingRecord.objects.none()
    return DosingRecord.objects.select_related(*RELATED).filter(
        prescription__referral__partner_id=partner_id
    )


def records_for_prescriber(request: AuthedRequest) -> QuerySet[DosingRecord]:
    """The records of the prescriber's organisation whose release is in force now."""
    return shared(_organisation_records(request), REFERRAL_PATH)


def get_record_for_prescriber(request: AuthedRequest, pk: int) -> DosingRecord:
    """AccessEnded when the release to the organisation ended, 404 for anything else."""
    return get_shared_or_ended(request, _organisation_records(request), pk, REFERRAL_PATH)
