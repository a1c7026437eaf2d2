"""Audited writes of an amendment request (45 CFR 164.526; ONC 170.315(d)(4)).

Each service takes the `Actor` who acts and typed values, checks its own rules (the
day received, the texts required, the status moves of AMENDMENT_TRANSITIONS under
the row lock, what may be appended when), and writes its audit entry, which names
ids, statuses and choices only, in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from amendments.models import (
    AMENDMENT_TRANSITIONS,
    DAYS_TO_ACT,
    EXTENSION_DAYS,
    TEXT_MAX,
    AmendmentRequest,
    AmendmentStatus,
    DenialBasis,
    RecordPart,
)
from amendments.validation import link_problem, received_days
from audit.services import log_action
from clients.models import Client
from common.transitions import check_transition


class AmendmentError(Exception):
    """An amendment write that cannot happen. `field` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _text(value: str, field: str, what: str, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise AmendmentError(f"Enter {what}.", field)
    if len(value) > TEXT_MAX:
        raise AmendmentError(f"Keep {what} to {TEXT_MAX} characters.", field)
    return value


def _locked(request: AmendmentRequest) -> AmendmentRequest:
    """The request's row, locked, as it is now (the caller's copy may be stale)."""
    return (
        AmendmentRequest.objects.select_for_update(of=("self",))
        .select_related("client")
        .get(pk=request.pk)
    )


def _move(request: AmendmentRequest, target: str, field: str | None) -> None:
    check_transition(
        AMENDMENT_TRANSITIONS,
        request.status,
        target,
        error=AmendmentError(
            f"A request that is “{request.get_status_display()}” cannot become "
            f"“{AmendmentStatus(target).label}”.",
            field,
        ),
    )
    request.status = target


def amendment_receive(
    *,
    actor: Actor,
    client: Client,
    received_on: dt.date,
    concerns: str,
    reference: str,
    requested_change: str,
) -> AmendmentRequest:
    """Record a client's request to amend their record, due DAYS_TO_ACT days after it
    was received."""
    problem = received_days().problem(received_on, "the day the request was received")
    if problem:
        raise AmendmentError(problem, "received_on")
    if concerns not in RecordPart.values:
        raise AmendmentError("Choose the part of the record the request concerns.", "concerns")
    reference = reference.strip()
    if len(reference) > 200:
        raise AmendmentError("Keep the reference to 200 characters.", "reference")
    change = _text(requested_change, "requested_change", "what the client asks to change")
    with transaction.atomic():
        request = AmendmentRequest.objects.create(
            client=client,
            received_on=received_on,
            concerns=concerns,
            reference=reference,
            requested_change=change,
            due_on=received_on + dt.timedelta(days=DAYS_TO_ACT),
            created_by=actor.staff,
        )
        detail = {"concerns": concerns, "due_on": request.due_on.isoformat()}
        log_action(actor, "amendment.receive", request, client=client, detail=detail)
    return request


def amendment_extend(*, actor: Actor, request: AmendmentRequest, reason: str) -> AmendmentRequest:
    """Extend the time to act once, by EXTENSION_DAYS, with the reason written to the
    client; only while the first 60 days run (164.526(b)(2)(ii))."""
    reason = _text(reason, "extension_reason", "the reason for the extension")
    with transaction.atomic():
        locked = _locked(request)
        _move(locked, AmendmentStatus.EXTENDED, "extension_reason")
        if timezone.localdate() > locked.due_on:
            raise AmendmentError(
                "The 60 days have passed: a request can be extended only before it is due.",
                "extension_reason",
            )
        locked.due_on += dt.timedelta(days=EXTENSION_DAYS)
        locked.extension_reason = reason
        locked.extended_at = timezone.now()
        locked.extended_by = actor.staff
        locked.save()
        detail = {"status": locked.status, "due_on": locked.due_on.isoformat()}
        log_action(actor, "amendment.extend", locked, client=locked.client, detail=detail)
    return locked


def amendment_accept(
    *, actor: Actor, request: AmendmentRequest, change_note: str, link: str
) -> AmendmentRequest:
    """Accept the request: staff have changed the record through its own pages; the
    request keeps what was changed and a link to where (164.526(c)(1))."""
    note = _text(change_note, "change_note", "what was changed in the record")
    link = link.strip()
    problem = link_problem(link)
    if problem:
        raise AmendmentError(problem, "amendment_link")
    with transaction.atomic():
        locked = _locked(request)
        _move(locked, AmendmentStatus.ACCEPTED, "change_note")
        locked.decision_note = note
        locked.amendment_link = link
        locked.decided_at = timezone.now()
        locked.decided_by = actor.staff
        locked.save()
        detail = {"status": locked.status, "linked": bool(link)}
        log_action(actor, "amendment.accept", locked, client=locked.client, detail=detail)
    return locked


def amendment_deny(
    *, actor: Actor, request: AmendmentRequest, basis: str, note: str
) -> AmendmentRequest:
    """Deny the request on one of the grounds of 164.526(a)(2), with the explanation
    given to the client (optional beyond the basis)."""
    if basis not in DenialBasis.values:
        raise AmendmentError("Choose the basis for the denial.", "denial_basis")
    note = _text(note, "denial_note", "the explanation", required=False)
    with transaction.atomic():
        locked = _locked(request)
        _move(locked, AmendmentStatus.DENIED, "denial_basis")
        locked.denial_basis = basis
        locked.decision_note = note
        locked.decided_at = timezone.now()
        locked.decided_by = actor.staff
        locked.save()
        detail = {"status": locked.status, "basis": basis}
        log_action(actor, "amendment.deny", locked, client=locked.client, detail=detail)
    return locked


def amendment_add_disagreement(
    *, actor: Actor, request: AmendmentRequest, statement: str
) -> AmendmentRequest:
    """Append the client's statement of disagreement to a denied request, once
    (164.526(d)(1)(iii), (d)(4))."""
    statement = _text(statement, "disagreement", "the client's statement")
    with transaction.atomic():
        locked = _locked(request)
        if locked.status != AmendmentStatus.DENIED:
            raise AmendmentError(
                "A statement of disagreement is appended only to a denied request.",
                "disagreement",
            )
        if locked.disagreement_at is not None:
            raise AmendmentError(
                "This request already has the client's statement.", "disagreement"
            )
        locked.disagreement = statement
        locked.disagreement_at = timezone.now()
        locked.disagreement_by = actor.staff
        locked.save()
        detail = {"status": locked.status}
        log_action(actor, "amendment.disagreement", locked, client=locked.client, detail=detail)
    return locked


def amendment_add_rebuttal(
    *, actor: Actor, request: AmendmentRequest, rebuttal: str
) -> AmendmentRequest:
    """Append the practice's rebuttal to the client's statement of disagreement, once
    (164.526(d)(3))."""
    rebuttal = _text(rebuttal, "rebuttal", "the rebuttal")
    with transaction.atomic():
        locked = _locked(request)
        if locked.disagreement_at is None:
            raise AmendmentError(
                "A rebuttal answers the client's statement of disagreement: there is none yet.",
                "rebuttal",
            )
        if locked.rebuttal_at is not None:
            raise AmendmentError("This request already has a rebuttal.", "rebuttal")
        locked.rebuttal = rebuttal
        locked.rebuttal_at = timezone.now()
        locked.rebuttal_by = actor.staff
        locked.save()
        detail = {"status": locked.status}
        log_action(actor, "amendment.rebuttal", locked, client=locked.client, detail=detail)
    return locked
