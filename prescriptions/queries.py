"""Read-only questions about prescriptions, shared by the portal, the staff pages
and the dosing readiness gate (treatment)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.db import models
from django.db.models import QuerySet
from django.utils.text import capfirst

from clients.models import Client
from common.prepared import Prepared
from partners.models import Referral, ReferralStatus
from prescriptions.models import Prescription, RxStatus, chain

# The fields a prescriber writes and revises, in the order the form shows them.
EDITABLE_FIELDS: list[str] = [
    "modality",
    "route",
    "weight_kg",
    "dose_mg_per_kg",
    "dose_mg",
    "booster_mg",
    "booster_after_minutes",
    "range_override_reason",
    "sessions_authorised",
    "valid_from",
    "valid_to",
    "fasting_solids_hours",
    "fasting_liquids_hours",
    "fasting_instructions",
    "holds",
    "holds_instructions",
    "min_systolic",
    "max_systolic",
    "min_diastolic",
    "max_diastolic",
    "hr_min",
    "hr_max",
    "spo2_min",
    "spo2_max",
]


def model_field(name: str) -> models.Field[Any, Any]:
    # The editable fields are concrete model fields, never relations.
    return cast("models.Field[Any, Any]", Prescription._meta.get_field(name))


def active_prescription_for(client: Client | int, on_date: dt.date) -> Prescription | None:
    """The ACTIVE version valid on `on_date`, or None.

    Superseded and discontinued versions never count, nor does an active one
    outside its valid-from/valid-to dates (both days included). Whether sessions
    are left is the caller's question: see `Prescription.sessions_left()`.
    """
    client_id = client if isinstance(client, int) else client.pk
    return (
        Prescription.objects.filter(
            client_id=client_id,
            status=RxStatus.ACTIVE,
            valid_from__lte=on_date,
            valid_to__gte=on_date,
        )
        .select_related("referral", "prescriber")
        .order_by("-created_at", "-id")
        .first()
    )


def active_chain_for(client: Client | int) -> Prescription | None:
    """The client's active version whatever its dates: only one chain may be active."""
    client_id = client if isinstance(client, int) else client.pk
    found = _active_chain(client=client_id)
    return found[0] if found else None


def refusal_for(referral: Referral) -> str:
    """Why a new prescription cannot be written for this referral now ("" if it can)."""
    if referral.status != ReferralStatus.ELIGIBLE:
        return (
            "A prescription can be written only after the referral is evaluated eligible. "
            f"This referral is “{referral.get_status_display()}”."
        )
    if active_chain_for(referral.client_id) is not None:
        return (
            "This client already has an active prescription. "
            "Revise it or discontinue it before writing a new one."
        )
    return ""


def current_version(rx: Prescription) -> Prescription:
    """The newest version of the chain `rx` belongs to."""
    found = _newest_in_chain(root=rx.chain_root_id)
    return found[0] if found else rx


def versions_by_time(rx: Prescription) -> list[Prescription]:
    """The versions of the chain `rx` belongs to, oldest first."""
    return _versions_by_time(root=rx.chain_root_id)


# Compiled once (common.prepared): the dosing record's page, the portal's referral page
# and their writes ask (`….order_by(...).first()` and `list(...)`, as the ORM ran them).
@Prepared
def _active_chain(*, client: int) -> QuerySet[Prescription]:
    active = Prescription.objects.filter(client_id=client, status=RxStatus.ACTIVE)
    return active.order_by("-created_at", "-id")[:1]


@Prepared
def _newest_in_chain(*, root: int) -> QuerySet[Prescription]:
    return chain(root).order_by("-version", "-id")[:1]


@Prepared
def _versions_by_time(*, root: int) -> QuerySet[Prescription]:
    return chain(root).order_by("created_at", "version")


def _display(rx: Prescription, name: str) -> str:
    value: Any = getattr(rx, name)
    if name == "route":
        return rx.get_route_display()
    if name == "modality":
        return rx.get_modality_display()
    if name == "holds":
        return holds_text(rx.hold_list()) or "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def holds_text(holds: list[dict[str, Any]]) -> str:
    """ "Benzodiazepines 24 h; Stimulants 24 h" """
    return "; ".join(f"{h['medication']} {h['hours']} h" for h in holds)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


def changed_fields(before: Prescription, after: Prescription | dict[str, Any]) -> list[str]:
    """Names of the editable fields whose value differs."""
    names = []
    for name in EDITABLE_FIELDS:
        new = after.get(name) if isinstance(after, dict) else getattr(after, name)
        old = getattr(before, name)
        if isinstance(old, str) or isinstance(new, str):
            old, new = (old or "").strip(), (new or "").strip()
        if old != new:
            names.append(name)
    return names


def changes_between(before: Prescription, after: Prescription) -> list[Change]:
    return [
        Change(
            name,
            capfirst(str(model_field(name).verbose_name)),
            _display(before, name),
            _display(after, name),
        )
        for name in changed_fields(before, after)
    ]


@dataclass(frozen=True)
class HistoryRow:
    rx: Prescription
    changes: list[Change]


def chain_history(rx: Prescription) -> list[HistoryRow]:
    """Every version of the chain, newest first, each with what changed since the one before."""
    versions = list(
        rx.chain_versions().select_related("prescriber", "discontinued_by").order_by("version")
    )
    rows = [
        HistoryRow(version, changes_between(versions[i - 1], version) if i else [])
        for i, version in enumerate(versions)
    ]
    return rows[::-1]
