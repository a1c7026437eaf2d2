"""The accounting of disclosures to partners, and the guard of a write under a release.

Every disclosure of a client's information to a partner organisation, whether the
practice sends it (a referral, an answer), a prescriber reads it in the portal
(the referral, a prescription, a session summary) or the partner's system reads it
through the FHIR API (interop.api), is written as a partners.Disclosure row in the
same transaction, naming the release of information in force at that moment. So is a
FHIR export of the whole record downloaded from the chart (interop.views), which
goes to no partner: its recipient is the member of staff who downloaded it. Nothing
goes to a partner without a release in force: the portal's and the API's querysets
(partners.access.shared) and the writes (`under_release`, partners.services) check it
on every request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet

from accounts.actor import Actor
from audit.services import log_action
from clients.models import Client
from common.inserts import insert_rows
from consents.models import SignedConsent
from consents.queries import release_in_force_locked
from partners.access import AccessEnded, release_id_of
from partners.models import (
    Disclosure,
    DisclosureChannel,
    DisclosureKind,
    DisclosurePurpose,
    Referral,
)

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


def disclosure_list_reads(*, actor: Actor, referrals: Iterable[Referral]) -> None:
    """One entry per referral shown in the portal's list (name, date of birth, status).
    Written as `bulk_create` writes them, without an instance each (`common.inserts`:
    the portal's lists write up to 25 a page)."""
    shown = list(referrals)
    if not shown:
        return
    by_id = actor.staff.pk  # a member of staff (a prescriber): raises for anyone else
    insert_rows(
        Disclosure,
        [
            {
                "client_id": referral.client_id,
                "partner_id": referral.partner_id,
                "release_id": release_id_of(referral),
                "kind": DisclosureKind.REFERRAL_LIST,
                "channel": DisclosureChannel.PORTAL_READ,
                "object_ids": {"referral": referral.pk},
                "by_id": by_id,
            }
            for referral in shown
        ],
    )


def disclosure_fhir_export(
    *, actor: Actor, client: Client, purpose: DisclosurePurpose
) -> Disclosure:
    """The whole record downloaded from the chart as a FHIR Bundle: to no partner and
    under no release; the recipient is the member of staff who downloaded it (`by`),
    who passes it on for `purpose`. Call it in the transaction of the export's audit
    entry."""
    return Disclosure.objects.create(
        client=client,
        kind=DisclosureKind.FHIR_EXPORT,
        channel=DisclosureChannel.DOWNLOAD,
        purpose=purpose,
        object_ids={},
        by=actor.staff,
    )


def disclosure_api_reads(
    *, actor: Actor, referrals: Iterable[Referral], object_ids: dict[str, int]
) -> list[Disclosure]:
    """One entry per client whose data an answer of the partner read API carried, to the
    referral's partner and its prescriber (`actor`, the token's), under the release in
    force that the referral was read under (rows of a partners.access.shared queryset).
    A client with several referrals to the partner is written once, for the first."""
    seen: dict[int, Referral] = {}
    for referral in referrals:
        seen.setdefault(referral.client_id, referral)
    return Disclosure.objects.bulk_create(
        [
            Disclosure(
                client_id=referral.client_id,
                partner_id=referral.partner_id,
                release_id=release_id_of(referral),
                kind=DisclosureKind.FHIR_API_READ,
                channel=DisclosureChannel.API_READ,
                purpose=DisclosurePurpose.TREATMENT,
                object_ids={"referral": referral.pk, **object_ids},
                by=actor.staff,
            )
            for referral in seen.values()
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
    """The accounting of one client's disclosures, newest first (partner and release are
    empty for a FHIR export downloaded from the chart)."""
    return Disclosure.objects.filter(client=client).select_related("partner", "by", "release")
