"""Audited writes to the client record.

Each service checks what the form checks (required values, lengths, choices, the
phone and date rules of `clients.validation`), so a caller that skips the form
cannot store what the form would refuse; it raises ClientError with a message for
the person and, where there is one, the field it belongs beside.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.access import ALL_RECORDS_ROLES
from accounts.actor import Actor
from accounts.models import User
from audit.services import log_action
from clients.models import (
    CLIENT_TRANSITIONS,
    Allergy,
    Client,
    ClientStatus,
    Diagnosis,
    ReportedMedication,
)
from clients.queries import active_therapists
from clients.validation import check_date_of_birth, check_phone, check_state, first_problem
from common.transitions import check_transition


class ClientError(ValueError):
    """A write the record refuses; the message is for the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ClientDetails:
    """What staff type about a client, in the order the form shows it."""

    first_name: str
    last_name: str
    preferred_name: str = ""
    pronouns: str = ""
    date_of_birth: dt.date | None = None
    email: str = ""
    phone: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    emergency_contact_name: str = ""
    emergency_contact_relationship: str = ""
    emergency_contact_phone: str = ""
    escort_name: str = ""
    escort_relationship: str = ""
    escort_phone: str = ""
    status: str = ClientStatus.PROSPECTIVE
    assigned_therapist: User | None = None


DETAIL_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ClientDetails))
PHONE_FIELDS = ("phone", "emergency_contact_phone", "escort_phone")
# Ended items: the field that ends each kind (the item is kept, with its history).
END_FIELD: dict[type[models.Model], str] = {
    Diagnosis: "resolved_at",
    ReportedMedication: "stopped_at",
    Allergy: "removed_at",
}
RecordItem = Diagnosis | ReportedMedication | Allergy
T = TypeVar("T")


def _check(field: str, check: Callable[[T], T], value: T) -> T:
    try:
        return check(value)
    except ValidationError as exc:
        raise ClientError(exc.messages[0], field) from exc


def _refuse_problems(obj: models.Model, exclude: tuple[str, ...] = ()) -> None:
    field, message = first_problem(obj, exclude)
    if message:
        raise ClientError(message, field)


def _check_therapist(therapist: User | None) -> None:
    if therapist is not None and not active_therapists().filter(pk=therapist.pk).exists():
        raise ClientError("Choose an active therapist.", "assigned_therapist")


def _apply(client: Client, details: ClientDetails) -> None:
    """Set the details on `client`, after the checks the form makes (the therapist is
    checked by the caller: only a change of therapist must name an active one)."""
    for name in DETAIL_FIELDS:
        setattr(client, name, getattr(details, name))
    for name in PHONE_FIELDS:
        setattr(client, name, _check(name, check_phone, getattr(details, name)))
    client.state = _check("state", check_state, details.state)
    _check("date_of_birth", check_date_of_birth, details.date_of_birth)
    _refuse_problems(client, exclude=("created_by", "assigned_therapist"))


def client_create(*, actor: Actor, details: ClientDetails) -> Client:
    client = Client(created_by=actor.staff)
    _apply(client, details)
    _check_therapist(details.assigned_therapist)
    with transaction.atomic():
        client.save()
        log_action(actor, "client.create", client, client=client)
    return client


def client_update(*, actor: Actor, client: Client, details: ClientDetails) -> Client:
    """Save the details; the audit names the fields that changed, never their values.
    Only the intake team and the admin move a client between therapists."""
    with transaction.atomic():
        # The stored row, not `client`: a ModelForm has already set its typed values.
        current = Client.objects.select_for_update().get(pk=client.pk)
        before = {name: getattr(current, name) for name in DETAIL_FIELDS}
        _apply(current, details)
        changed = [name for name in DETAIL_FIELDS if getattr(current, name) != before[name]]
        if "status" in changed:
            check_transition(
                CLIENT_TRANSITIONS,
                before["status"],
                current.status,
                error=ClientError(
                    f"A client who is {ClientStatus(before['status']).label.lower()} cannot "
                    f"be made {ClientStatus(current.status).label.lower()}.",
                    "status",
                ),
            )
        if "assigned_therapist" in changed:
            if actor.staff.role not in ALL_RECORDS_ROLES:
                raise ClientError(
                    "Only the intake team and the admin move a client between therapists.",
                    "assigned_therapist",
                )
            _check_therapist(details.assigned_therapist)
        current.save()
        log_action(actor, "client.update", current, client=current, detail={"fields": changed})
    client.refresh_from_db()
    return client


def _item_add(actor: Actor, item: RecordItem) -> None:
    _refuse_problems(item)
    with transaction.atomic():
        item.save()
        log_action(actor, f"client.{item._meta.model_name}_add", item, client=item.client)


def diagnosis_add(*, actor: Actor, client: Client, code: str, description: str) -> Diagnosis:
    """Add a diagnosis (an ICD-10-CM code, written in capitals, and its description)."""
    item = Diagnosis(
        client=client, code=code.strip().upper(), description=description, added_by=actor.staff
    )
    _item_add(actor, item)
    return item


def medication_add(
    *, actor: Actor, client: Client, name: str, dose: str = "", frequency: str = ""
) -> ReportedMedication:
    """Add a medication the client says they take."""
    item = ReportedMedication(client=client, name=name, dose=dose, frequency=frequency)
    _item_add(actor, item)
    return item


def allergy_add(
    *,
    actor: Actor,
    client: Client,
    substance: str,
    reaction: str = "",
    severity: str = Allergy.Severity.UNKNOWN,
) -> Allergy:
    item = Allergy(client=client, substance=substance, reaction=reaction, severity=severity)
    _item_add(actor, item)
    return item


def record_item_end(*, actor: Actor, item: RecordItem) -> None:
    """Resolve a diagnosis, stop a medication or remove an allergy, keeping the history.
    An item already ended stays as it is (a second click changes nothing)."""
    field = END_FIELD[type(item)]
    with transaction.atomic():
        current = type(item).objects.select_for_update().get(pk=item.pk)
        if getattr(current, field) is not None:
            return
        setattr(current, field, timezone.now())
        current.save(update_fields=[field])
        log_action(actor, f"client.{current._meta.model_name}_end", current, client=current.client)
