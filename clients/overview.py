"""What the chart's overview reads of the record itself: its three lists and who
created it, by queries compiled once (common.prepared).

Why: through the ORM, the related managers' three reads and the creator's (a foreign
key read on first use by the template) were built and compiled on every view of the
chart, about an eighth of its work at 10,000 clients (`make bench-work`, issue 14).
These give the same rows in the same order (each model's own ordering), each with its
client set as the related manager sets it, and the creator cached on the client as
the foreign key caches it, so that the template reads them as before.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from clients.models import Allergy, Client, Diagnosis, ReportedMedication
from common.prepared import Prepared, first_query, with_parent


@Prepared
def _diagnoses(*, client: int) -> QuerySet[Diagnosis]:
    return Diagnosis.objects.filter(client_id=client)


@Prepared
def _medications(*, client: int) -> QuerySet[ReportedMedication]:
    return ReportedMedication.objects.filter(client_id=client)


@Prepared
def _allergies(*, client: int) -> QuerySet[Allergy]:
    return Allergy.objects.filter(client_id=client)


@Prepared
def _user(*, pk: int) -> QuerySet[User]:
    return first_query(User.objects.filter(pk=pk))


def overview_lists(client: Client) -> dict[str, list[Any]]:
    """The client's diagnoses, medications and allergies, as the chart names them."""
    return {
        "diagnoses": with_parent(_diagnoses(client=client.pk), "client", client),
        "medications": with_parent(_medications(client=client.pk), "client", client),
        "allergies": with_parent(_allergies(client=client.pk), "client", client),
    }


def read_creator(client: Client) -> None:
    """Cache who created the record on `client`, as reading `client.created_by` would."""
    descriptor = Client.created_by
    if client.created_by_id is None or descriptor.is_cached(client):
        return
    found = _user(pk=client.created_by_id)
    descriptor.field.set_cached_value(client, found[0] if found else None)
