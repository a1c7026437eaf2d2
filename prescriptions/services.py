"""Writes to prescriptions: each is atomic, audited, and tells the practice side.

A prescription is written by a prescriber of the partner the referral went to,
only for a referral evaluated eligible, and only while the client has no other
active prescription chain. A change writes a new version in the same chain and
marks the old one superseded; a discontinuation ends the chain for dosing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.access import AuthedRequest
from audit.services import log_action
from clients.models import Client
from common.links import absolute_url
from common.transitions import check_transition
from notifications.services import email_queue
from partners.access import partner_id_of
from partners.models import Referral, ReferralStatus
from prescriptions.models import RX_TRANSITIONS, Prescription, RxStatus
from prescriptions.queries import EDITABLE_FIELDS, active_chain_for, changed_fields
from prescriptions.validation import prescription_problems

EMAIL_TEMPLATE = "notifications/email/prescription_updated"


class PrescriptionError(Exception):
    """A write the rules refuse; the message is safe to show the prescriber.

    `errors` maps a field name to its message when the values break a rule."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


def _check_values(data: dict[str, Any]) -> None:
    """The dose ranges, the plausibility of each limit, fasting and holds: on every write."""
    problems = prescription_problems(data)
    if problems:
        raise PrescriptionError(" ".join(problems.values()), problems)


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in EDITABLE_FIELDS if name in data}


def _notify_practice(rx: Prescription) -> None:
    """E-mail the referring therapist and the client's therapist: no detail, just a link."""
    people = [rx.referral.referred_by, rx.client.assigned_therapist]
    addresses = sorted({p.email for p in people if p is not None and p.is_active and p.email})
    context = {
        "link": absolute_url("dashboard:home"),
        "practice": settings.PRACTICE_NAME,
    }
    for address in addresses:
        email_queue(address, EMAIL_TEMPLATE, context)


def _check_partner(request: AuthedRequest, referral: Referral) -> None:
    if partner_id_of(request.user) != referral.partner_id:
        raise PrescriptionError(
            "Only a prescriber of the partner this referral went to may do this."
        )


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


def prescription_write(
    request: AuthedRequest, referral: Referral, data: dict[str, Any]
) -> Prescription:
    """Write version 1 of a new prescription chain."""
    with transaction.atomic():
        # Lock the client so that two prescribers cannot both start a chain.
        Client.objects.select_for_update().only("pk").get(pk=referral.client_id)
        referral = Referral.objects.select_related("client", "referred_by").get(pk=referral.pk)
        _check_partner(request, referral)
        refusal = refusal_for(referral)
        if refusal:
            raise PrescriptionError(refusal)
        _check_values(_fields(data))
        rx = Prescription.objects.create(
            client=referral.client,
            referral=referral,
            prescriber=request.user,
            version=1,
            chain=None,
            **_fields(data),
        )
        log_action(
            request,
            "prescription.create",
            rx,
            client=rx.client,
            detail={"referral": referral.pk, "version": 1, "status": rx.status},
        )
        _notify_practice(rx)
    return rx


def prescription_revise(
    request: AuthedRequest, rx: Prescription, data: dict[str, Any]
) -> Prescription:
    """Write the next version of `rx`'s chain and mark `rx` superseded."""
    with transaction.atomic():
        old = (
            Prescription.objects.select_for_update(of=("self",))
            .select_related("client", "referral__referred_by")
            .get(pk=rx.pk)
        )
        _check_partner(request, old.referral)
        check_transition(
            RX_TRANSITIONS,
            old.status,
            RxStatus.SUPERSEDED,
            error=PrescriptionError(
                f"Version {old.version} is {old.get_status_display().lower()}; "
                "only the active version can be revised."
            ),
        )
        new_data = {name: getattr(old, name) for name in EDITABLE_FIELDS}
        new_data.update(_fields(data))
        _check_values(new_data)
        changed = changed_fields(old, new_data)
        if not changed:
            raise PrescriptionError("Nothing was changed, so no new version was written.")
        root_id = old.chain_root_id
        latest = old.chain_versions().aggregate(latest=Max("version"))["latest"] or old.version
        old.status = RxStatus.SUPERSEDED
        old.save(update_fields=["status"])
        new = Prescription.objects.create(
            client=old.client,
            referral=old.referral,
            prescriber=request.user,
            chain_id=root_id,
            version=latest + 1,
            **new_data,
        )
        log_action(
            request,
            "prescription.revise",
            new,
            client=new.client,
            detail={
                "chain": root_id,
                "from_version": old.version,
                "to_version": new.version,
                "superseded": old.pk,
                "changed": changed,
            },
        )
        _notify_practice(new)
    return new


def prescription_discontinue(
    request: AuthedRequest, rx: Prescription, reason: str
) -> Prescription:
    """Discontinue the chain `rx` belongs to: its active version stops at once."""
    reason = (reason or "").strip()
    if not reason:
        raise PrescriptionError("Give the reason for discontinuing.")
    with transaction.atomic():
        active = (
            rx.chain_versions()
            .select_for_update(of=("self",))
            .filter(status=RxStatus.ACTIVE)
            .select_related("client", "referral__referred_by")
            .first()
        )
        if active is None:
            raise PrescriptionError("This prescription is no longer active.")
        _check_partner(request, active.referral)
        check_transition(RX_TRANSITIONS, active.status, RxStatus.DISCONTINUED)
        active.status = RxStatus.DISCONTINUED
        active.discontinued_at = timezone.now()
        active.discontinued_by = request.user
        active.discontinued_reason = reason
        active.save(
            update_fields=["status", "discontinued_at", "discontinued_by", "discontinued_reason"]
        )
        log_action(
            request,
            "prescription.discontinue",
            active,
            client=active.client,
            detail={
                "chain": active.chain_root_id,
                "version": active.version,
                "status": active.status,
            },
        )
        _notify_practice(active)
    return active
