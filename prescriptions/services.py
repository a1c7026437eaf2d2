"""Writes to prescriptions: each is atomic, audited, and tells the practice side.

A prescription is written by a prescriber of the partner the referral went to,
only for a referral evaluated eligible, and only while the client has no other
active prescription chain. A change writes a new version in the same chain and
marks the old one superseded; a discontinuation ends the chain for dosing. The
terms of a version are a typed value (`prescriptions.terms.PrescriptionTerms`),
checked against every rule (`prescriptions.validation.terms_problems`) on each write.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import User
from audit.services import log_action
from clients.models import Client
from common.links import absolute_url
from common.transitions import check_transition
from notifications.services import email_queue
from partners.access import partner_id_of
from partners.models import Referral
from prescriptions.models import RX_TRANSITIONS, Prescription, RxStatus
from prescriptions.queries import changed_fields, refusal_for
from prescriptions.terms import PrescriptionTerms
from prescriptions.validation import TEXT_MAX, terms_problems

EMAIL_TEMPLATE = "notifications/email/prescription_updated"


class PrescriptionError(Exception):
    """A write the rules refuse; the message is safe to show the prescriber.

    `errors` maps a field name to its message when the values break a rule."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


def _check_terms(terms: PrescriptionTerms, sessions_used: int = 0) -> None:
    """The dose ranges, the plausibility of each limit, fasting, holds, dates and the
    sessions already used: on every write."""
    problems = terms_problems(terms, today=timezone.localdate(), sessions_used=sessions_used)
    if problems:
        raise PrescriptionError(" ".join(problems.values()), problems)


def _notify_practice(rx: Prescription) -> None:
    """E-mail the referring therapist and the client's therapist: no detail, just a link."""
    people = [rx.referral.referred_by, rx.client.assigned_therapist]
    addresses = sorted({p.email for p in people if p is not None and p.is_active and p.email})
    context = {
        "link": absolute_url("dashboard:home"),
        "practice": settings.PRACTICE_NAME,
    }
    for address in addresses:
        email_queue(to=address, template=EMAIL_TEMPLATE, context=context)


def _check_partner(user: User, referral: Referral) -> None:
    if partner_id_of(user) != referral.partner_id:
        raise PrescriptionError(
            "Only a prescriber of the partner this referral went to may do this."
        )


def prescription_write(
    *, actor: Actor, referral: Referral, terms: PrescriptionTerms
) -> Prescription:
    """Write version 1 of a new prescription chain."""
    user = actor.staff
    with transaction.atomic():
        # Lock the client so that two prescribers cannot both start a chain.
        Client.objects.select_for_update().only("pk").get(pk=referral.client_id)
        referral = Referral.objects.select_related("client", "referred_by").get(pk=referral.pk)
        _check_partner(user, referral)
        refusal = refusal_for(referral)
        if refusal:
            raise PrescriptionError(refusal)
        _check_terms(terms)
        rx = Prescription.objects.create(
            client=referral.client,
            referral=referral,
            prescriber=user,
            version=1,
            chain=None,
            **terms.as_fields(),
        )
        log_action(
            actor,
            "prescription.create",
            rx,
            client=rx.client,
            detail={"referral": referral.pk, "version": 1, "status": rx.status},
        )
        _notify_practice(rx)
    return rx


def prescription_revise(
    *, actor: Actor, prescription: Prescription, terms: PrescriptionTerms
) -> Prescription:
    """Write the next version of `prescription`'s chain, with `terms`, and mark
    `prescription` superseded. To change a few values, start from the version's own
    terms: `dataclasses.replace(PrescriptionTerms.of(rx), dose_mg=...)`."""
    user = actor.staff
    with transaction.atomic():
        old = (
            Prescription.objects.select_for_update(of=("self",))
            .select_related("client", "referral__referred_by")
            .get(pk=prescription.pk)
        )
        _check_partner(user, old.referral)
        check_transition(
            RX_TRANSITIONS,
            old.status,
            RxStatus.SUPERSEDED,
            error=PrescriptionError(
                f"Version {old.version} is {old.get_status_display().lower()}; "
                "only the active version can be revised."
            ),
        )
        _check_terms(terms, sessions_used=old.sessions_used())
        new_data = terms.as_fields()
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
            prescriber=user,
            chain_id=root_id,
            version=latest + 1,
            **new_data,
        )
        log_action(
            actor,
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
    *, actor: Actor, prescription: Prescription, reason: str
) -> Prescription:
    """Discontinue the chain `prescription` belongs to: its active version stops at once."""
    user = actor.staff
    reason = (reason or "").strip()
    if not reason:
        raise PrescriptionError("Give the reason for discontinuing.")
    if len(reason) > TEXT_MAX:
        raise PrescriptionError(f"Keep the reason to {TEXT_MAX} characters or fewer.")
    with transaction.atomic():
        active = (
            prescription.chain_versions()
            .select_for_update(of=("self",))
            .filter(status=RxStatus.ACTIVE)
            .select_related("client", "referral__referred_by")
            .first()
        )
        if active is None:
            raise PrescriptionError("This prescription is no longer active.")
        _check_partner(user, active.referral)
        check_transition(RX_TRANSITIONS, active.status, RxStatus.DISCONTINUED)
        active.status = RxStatus.DISCONTINUED
        active.discontinued_at = timezone.now()
        active.discontinued_by = user
        active.discontinued_reason = reason
        active.save(
            update_fields=["status", "discontinued_at", "discontinued_by", "discontinued_reason"]
        )
        log_action(
            actor,
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
