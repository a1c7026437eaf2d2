"""Writes to referrals: each is atomic, audited, and tells the other side by e-mail.

`referral_send` opens a referral under the client's release of information;
`referral_step` moves it through the state machine in partners/models.py (STEPS),
checking which side may take the step. Both disclose to the partner only under the
client's release of information to it, locked and in force at that moment, and
write the disclosure to the accounting (partners.Disclosure) in the same transaction.
The e-mails are outbox rows written in the same transaction, after the change, and
carry no PHI. `membership_set` puts a prescriber in their partner organisation (the
demo; the admin edits memberships inline).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.access import CLINICAL_ROLES
from accounts.actor import Actor
from accounts.models import Role, User
from audit.services import log_action
from clients.models import Client
from clients.queries import clients_visible_to
from common.transitions import check_transition
from consents.queries import release_in_force_locked
from partners import notifications
from partners.access import partner_id_of
from partners.disclosures import disclosure_record
from partners.models import (
    PRACTICE_STEPS,
    PRESCRIBER_STEPS,
    REFERRAL_TRANSITIONS,
    STEPS,
    DisclosureChannel,
    DisclosureKind,
    Partner,
    PartnerMembership,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Step,
)
from partners.prescreen import ANSWER_LABELS, PRESCREEN_ITEMS
from partners.queries import referral_snapshot

REASON_MAX = 2000
TEXT_MAX = 4000


class ReferralError(Exception):
    """A referral write that cannot happen. `field` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ReleaseEnded(ReferralError):
    """The client's release of information to the partner is no longer in force:
    nothing more may pass between the practice and the partner on this referral."""


def release_ended_message(partner: Partner) -> str:
    return (
        f"The client's release of information to {partner.name} is no longer in force: "
        f"nothing more can be shared with {partner.name}. Ask the client to sign a new "
        "release first."
    )


def _check_prescreen(prescreen: dict[str, str]) -> dict[str, str]:
    keys = [key for key, _ in PRESCREEN_ITEMS]
    if set(prescreen) != set(keys) or any(v not in ANSWER_LABELS for v in prescreen.values()):
        raise ReferralError("Answer every pre-screen item: no, yes or unknown.")
    return {key: prescreen[key] for key in keys}


def referral_send(
    *,
    actor: Actor,
    client: Client,
    partner: Partner,
    reason: str,
    prescreen: dict[str, str],
    prescreen_notes: str = "",
) -> Referral:
    """Refer `client` to `partner`, under the client's signed release to that partner.

    `prescreen` answers each item of partners.prescreen (item key -> "no", "yes" or
    "unknown")."""
    user = actor.staff
    if not user.has_role(*CLINICAL_ROLES):
        raise ReferralError("Only the client's therapist or the practice admin may refer.")
    if not partner.active:
        raise ReferralError("This partner no longer takes referrals.", "partner")
    reason = reason.strip()
    if not reason:
        raise ReferralError("Say why you are referring the client.", "reason")
    if len(reason) > REASON_MAX or len(prescreen_notes) > REASON_MAX:
        raise ReferralError(f"Keep the text under {REASON_MAX} characters.")
    answers = _check_prescreen(prescreen)
    with transaction.atomic():
        # One send at a time per client, so a double submit cannot refer twice.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        open_referral = (
            Referral.objects.filter(client=client, partner=partner)
            .exclude(status=ReferralStatus.CLOSED)
            .exists()
        )
        if open_referral:
            raise ReferralError(
                f"This client already has an open referral to {partner.name}. "
                "Close it before sending a new one.",
                "partner",
            )
        # Locked: a revocation cannot commit between this check and the send.
        release = release_in_force_locked(client.pk, partner.pk)
        if release is None:
            raise ReferralError(
                f"No signed release of information to {partner.name} is on file. "
                "Send one from the client page first.",
                "partner",
            )
        referral = Referral.objects.create(
            client=client,
            partner=partner,
            referred_by=user,
            release=release,
            reason=reason,
            prescreen=answers,
            prescreen_notes=prescreen_notes.strip(),
            status=ReferralStatus.SENT,
            **referral_snapshot(client),
        )
        event = ReferralEvent.objects.create(referral=referral, step=Step.SENT, by=user)
        disclosure_record(
            actor=actor,
            referral=referral,
            release_id=release.pk,
            kind=DisclosureKind.REFERRAL,
            channel=DisclosureChannel.PRACTICE_SEND,
            object_ids={"referral": referral.pk, "event": event.pk},
        )
        log_action(
            actor,
            "referral.send",
            referral,
            client=client,
            detail={
                "partner": partner.pk,
                "release": release.pk,
                "event": event.pk,
                "status": referral.status,
            },
        )
        notifications.notify_partner(referral, new=True)
    return referral


def _is_partner_side(user: User, referral: Referral) -> bool:
    return (
        # A referral always has a partner, so a user with none never matches.
        user.has_role(Role.PRESCRIBER) and partner_id_of(user) == referral.partner_id
    )


def _is_practice_side(user: User, referral: Referral) -> bool:
    return (
        user.has_role(*CLINICAL_ROLES)
        # Fresh: a write's check, under the referral's lock (clients.queries).
        and clients_visible_to(user, fresh=True).filter(pk=referral.client_id).exists()
    )


def _check_side(user: User, referral: Referral, step: str) -> bool:
    """Whether the user is the partner side; raises if they may not take the step."""
    partner_side = _is_partner_side(user, referral)
    if step in PRESCRIBER_STEPS and not partner_side:
        raise ReferralError(f"Only a prescriber of {referral.partner.name} may take this step.")
    if step in PRACTICE_STEPS and not _is_practice_side(user, referral):
        raise ReferralError("Only the client's therapist or the practice admin may answer.")
    if step == Step.CLOSED and not (partner_side or _is_practice_side(user, referral)):
        raise ReferralError("Only the practice or the partner may close this referral.")
    return partner_side


def _check_data(step: str, text: str, evaluation_at: datetime | None) -> None:
    if len(text) > TEXT_MAX:
        raise ReferralError(f"Keep the text under {TEXT_MAX} characters.", "text")
    if step == Step.SCHEDULED and (evaluation_at is None or timezone.is_naive(evaluation_at)):
        raise ReferralError("Enter the date and time of the evaluation.", "evaluation_at")
    missing = {
        Step.NOT_ELIGIBLE: "Give the reason the client is not eligible.",
        Step.NEEDS_INFO: "Write the question for the therapist.",
        Step.ANSWER: "Write your answer.",
    }
    if step in missing and not text:
        raise ReferralError(missing[Step(step)], "text")


def _release_refused(actor: Actor, referral: Referral, step: str, partner_side: bool) -> None:
    """Audit (in the caller's transaction, which then commits) a step refused because
    the release is no longer in force."""
    log_action(
        actor,
        "referral.access_ended" if partner_side else "referral.disclosure_refused",
        referral,
        client=referral.client,
        detail={"referral": referral.pk, "step": step, "status": referral.status},
    )


def referral_step(
    *,
    actor: Actor,
    referral: Referral,
    step: str,
    text: str = "",
    evaluation_at: datetime | None = None,
) -> ReferralEvent:
    """Take one step of the referral's lifecycle, as the side allowed to take it.

    The prescriber's steps, and the practice's answer, need the client's release to
    the partner in force now (ReleaseEnded otherwise, audited). The practice may
    still close a referral whose release ended: nothing is then sent to the partner.
    """
    user = actor.staff
    if step not in STEPS:
        raise ReferralError("That is not a step a referral can take.")
    text = text.strip()
    with transaction.atomic():
        locked = (
            # Lock the referral row only: the joined client's therapist may be null.
            Referral.objects.select_for_update(of=("self",))
            .select_related("partner", "client__assigned_therapist", "referred_by")
            .get(pk=referral.pk)
        )
        partner_side = _check_side(user, locked, step)
        # Locked too: a revocation cannot commit between this check and the step.
        release = release_in_force_locked(locked.client_id, locked.partner_id)
        refused = release is None and (partner_side or step in PRACTICE_STEPS)
        if refused:
            _release_refused(actor, locked, step, partner_side)
        else:
            event = _take_step(actor, locked, step, text, evaluation_at)
            if release is not None and not partner_side:
                # What the practice writes on the thread goes to the partner.
                disclosure_record(
                    actor=actor,
                    referral=locked,
                    release_id=release.pk,
                    kind=DisclosureKind.MESSAGE,
                    channel=DisclosureChannel.PRACTICE_SEND,
                    object_ids={"referral": locked.pk, "event": event.pk},
                )
            if partner_side:
                notifications.notify_practice(locked)
            elif release is not None:
                notifications.notify_partner(locked)
    if refused:
        raise ReleaseEnded(release_ended_message(locked.partner))
    for name in ("status", "evaluation_at", "not_eligible_reason", "updated_at"):
        setattr(referral, name, getattr(locked, name))
    return event


def _take_step(
    actor: Actor,
    locked: Referral,
    step: str,
    text: str,
    evaluation_at: datetime | None,
) -> ReferralEvent:
    """Move the locked referral by `step` and write its event and audit entry."""
    sources, target = STEPS[step]
    error = ReferralError(
        f"This referral is “{locked.get_status_display()}”: "
        f"“{Step(step).label}” is not possible now."
    )
    if locked.status not in sources:
        raise error
    check_transition(REFERRAL_TRANSITIONS, locked.status, target, error=error)
    _check_data(step, text, evaluation_at)
    from_status = locked.status
    locked.status = target
    fields = ["status", "updated_at"]
    if step == Step.SCHEDULED:
        locked.evaluation_at = evaluation_at
        fields.append("evaluation_at")
    if step == Step.NOT_ELIGIBLE:
        locked.not_eligible_reason = text
        fields.append("not_eligible_reason")
    locked.save(update_fields=fields)
    event = ReferralEvent.objects.create(
        referral=locked,
        step=step,
        by=actor.staff,
        text=text,
        evaluation_at=evaluation_at if step == Step.SCHEDULED else None,
    )
    log_action(
        actor,
        "referral.step",
        locked,
        client=locked.client,
        detail={"step": step, "from": from_status, "to": target, "event": event.pk},
    )
    return event


def membership_set(*, user: User, partner: Partner) -> PartnerMembership:
    """Make `user` a member of `partner` (a user works for one partner at most):
    the partner portal then shows them the referrals to that partner."""
    membership, _ = PartnerMembership.objects.update_or_create(
        user=user, defaults={"partner": partner}
    )
    # Readers (partners.access) use the cached reverse relation: keep it current.
    user.partner_membership = membership
    return membership
