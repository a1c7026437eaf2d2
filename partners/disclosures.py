"""The accounting of disclosures to partners, and the guard of a write under a release.

Every disclosure of a client's information to a partner organisation, whether the
practice sends it (a referral, an answer) or a prescriber reads it in the portal
(the referral, a prescription, a session summary), is written as a
partners.Disclosure row in the same transaction, naming the release of information
in force at that moment. Nothing is disclosed without one: the portal's querysets
(partners.access.shared) and the writes (`under_release`, partners.services)
check it on every request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet

from accounts.actor import Actor
from audit.services import log_action
from clients.models import Client
from consents.models import SignedConsent
from consents.queries import release_in_force_locked
from partners.access import AccessEnded, release_id_of
from partners.models import Disclosure, DisclosureChannel, DisclosureKind, Referral

T = TypeVar("T")


def disclosure_record(
    *,
    actor: Actor,
    referral: Referral,
    release_id: int,
    kind: DisclosureKind,
    channel: DisclosureChannel,
    object_ids: dict[str, int],
) -> Disclosure:
    """Write one entry of the accounting: call it inside the disclosure's transaction."""
    return Disclosure.objects.create(
        client_id=referral.client_id,
        partner_id=referral.partner_id,
        release_id=release_id,
        kind=kind,
        channel=channel,
        object_ids=object_ids,
        by=actor.staff,
    )


def disclosure_portal_read(
    *,
    actor: Actor,
    referral: Referral,
    read: Model,
    kind: DisclosureKind,
    object_ids: dict[str, int],
) -> Disclosure:
    """A prescriber's read in the portal of `read`, a row of a partners.access.shared
    queryset (it carries the release it was read under)."""
    return disclosure_record(
        actor=actor,
        referral=referral,
        release_id=release_id_of(read),
        kind=kind,
        channel=DisclosureChannel.PORTAL_READ,
        object_ids=object_ids,
    )


def disclosure_list_reads(*, actor: Actor, referrals: Iterable[Referral]) -> list[Disclosure]:
    """One entry per referral shown in the portal's list (name, date of birth, status)."""
    return Disclosure.objects.bulk_create(
        [
            Disclosure(
                client_id=referral.client_id,
                partner_id=referral.partner_id,
                release_id=release_id_of(referral),
                kind=DisclosureKind.REFERRAL_LIST,
                channel=DisclosureChannel.PORTAL_READ,
                object_ids={"referral": referral.pk},
                by=actor.staff,
            )
            for referral in referrals
        ]
    )


def under_release(*, actor: Actor, referral: Referral, write: Callable[[SignedConsent], T]) -> T:
    """Run `write` (a prescriber's write on this referral) in one transaction, with the
    client's release to the referral's partner locked and in force; a revocation
    cannot commit in between. Without a release in force, audit the refusal
    (committed) and raise partners.access.AccessEnded."""
    with transaction.atomic():
        release = release_in_force_locked(referral.client_id, referral.partner_id)
        if release is not None:
            return write(release)
        log_action(
            actor,
            "referral.access_ended",
            referral,
            client=Client(pk=referral.client_id),
            detail={"referral": referral.pk, "write": True},
        )
    raise AccessEnded(referral.pk)


def disclosures_for_client(client: Client) -> QuerySet[Disclosure]:
    """The accounting of one client's disclosures, newest first."""
    return Disclosure.objects.filter(client=client).select_related("partner", "by", "release")
