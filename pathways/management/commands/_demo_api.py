"""The partner read API's tokens, for the demo: the admin issued the prescriber a
token a month ago (in use since), and revoked an earlier one when the partner's EHR
moved servers. Neither plaintext is kept anywhere (only hashes are stored): to try
the API, issue a new token in the admin (FHIR API tokens → Add), shown once.

The partner's EHR read its clients through the API three hours ago, and a therapist
downloaded one client's record as a FHIR Bundle for the client ten days ago: both are in
the accounting of disclosures (partners.Disclosure), as the app writes them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role, User
from interop.models import ApiToken
from interop.tokens import api_token_issue, api_token_revoke
from partners.models import (
    Disclosure,
    DisclosureChannel,
    DisclosureKind,
    DisclosurePurpose,
    Referral,
)
from pathways.management.commands._demo_common import backdate


def seed_api_tokens(users: dict[str, User]) -> None:
    admin = Actor.for_user(users[Role.ADMIN])
    prescriber = users[Role.PRESCRIBER]
    earlier, _ = api_token_issue(actor=admin, prescriber=prescriber, days=90)
    api_token_revoke(actor=admin, token=earlier)
    now = timezone.now()
    backdate(
        ApiToken,
        earlier.pk,
        created_at=now - dt.timedelta(days=75),
        expires_at=now + dt.timedelta(days=15),
        revoked_at=now - dt.timedelta(days=31),
    )
    current, _ = api_token_issue(actor=admin, prescriber=prescriber, days=90)
    backdate(
        ApiToken,
        current.pk,
        created_at=now - dt.timedelta(days=30),
        expires_at=now + dt.timedelta(days=60),
        last_used_at=now - dt.timedelta(hours=3),
    )
    _api_reads(prescriber, at=now - dt.timedelta(hours=3))
    _export(users[Role.THERAPIST], at=now - dt.timedelta(days=10))


def _api_reads(prescriber: User, *, at: dt.datetime) -> None:
    """One API read per client the partner could read then: its referrals under a
    release that is not revoked (Elliot Shaw's was, three days ago)."""
    referrals = Referral.objects.filter(
        partner_id=prescriber.partner_membership.partner_id,
        release__isnull=False,
        release__revocation__isnull=True,
    ).order_by("pk")
    Disclosure.objects.bulk_create(
        Disclosure(
            client_id=r.client_id,
            partner_id=r.partner_id,
            release_id=r.release_id,
            kind=DisclosureKind.FHIR_API_READ,
            channel=DisclosureChannel.API_READ,
            purpose=DisclosurePurpose.TREATMENT,
            object_ids={"referral": r.pk},
            at=at,
            by=prescriber,
        )
        for r in referrals
    )


def _export(therapist: User, *, at: dt.datetime) -> None:
    """The client's own copy of their record, downloaded from the chart."""
    referral = Referral.objects.filter(client__assigned_therapist=therapist).order_by("pk").first()
    if referral is None:
        return
    Disclosure.objects.create(
        client_id=referral.client_id,
        kind=DisclosureKind.FHIR_EXPORT,
        channel=DisclosureChannel.DOWNLOAD,
        purpose=DisclosurePurpose.CLIENT_COPY,
        object_ids={},
        at=at,
        by=therapist,
    )
