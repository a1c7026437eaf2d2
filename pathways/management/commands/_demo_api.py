"""The partner read API's tokens, for the demo: the admin issued the prescriber a
token a month ago (in use since), and revoked an earlier one when the partner's EHR
moved servers. Neither plaintext is kept anywhere (only hashes are stored): to try
the API, issue a new token in the admin (FHIR API tokens → Add), shown once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role, User
from interop.models import ApiToken
from interop.tokens import api_token_issue, api_token_revoke
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
