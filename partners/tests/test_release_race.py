"""A practice answer and a revocation of the release at the same moment (issue 10:
"re-check inside the service under the row lock where a race is possible").
Whichever commits first, nothing reaches the partner after the release was revoked,
and every answer sent is in the accounting.

Needs a database that serves two writers at once with row locks (PostgreSQL).
"""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from accounts.actor import Actor
from accounts.models import Role
from consents.models import ConsentRevocation
from consents.services import ConsentError, consent_revoke
from partners import services
from partners.models import Disclosure, DisclosureKind, ReferralEvent, ReferralStatus, Step
from pathways.testing import Job, make_client, make_partner, make_referral, make_user
from pathways.testing import run_together as shared_run_together

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*jobs: Job) -> list[str]:
    return shared_run_together(*jobs, refused=(services.ReferralError, ConsentError))


@pytest.mark.parametrize("attempt", range(5))
def test_an_answer_racing_a_revocation_never_reaches_the_partner_after_it(attempt: int) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot serve two writers at once")
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST)
    client = make_client(assigned_therapist=theo)
    referral = make_referral(client, partner, theo, status=ReferralStatus.NEEDS_INFO)
    actor = Actor.for_user(theo)

    def answer() -> str:
        services.referral_step(actor=actor, referral=referral, step=Step.ANSWER, text="No.")
        return "answered"

    def revoke() -> str:
        consent_revoke(actor=actor, signed=referral.release, reason="Withdrawn.")
        return "revoked"

    outcomes = run_together(answer, revoke)

    assert "revoked" in outcomes, outcomes
    revoked_at = ConsentRevocation.objects.get().revoked_at
    answers = ReferralEvent.objects.filter(step=Step.ANSWER).count()
    messages = Disclosure.objects.filter(kind=DisclosureKind.MESSAGE)
    assert answers == messages.count()
    assert all(d.at < revoked_at for d in messages), (outcomes, list(messages))
    if "answered" not in outcomes:
        assert any("no longer in force" in o for o in outcomes), outcomes


def test_a_revocation_waits_for_an_answer_that_checked_the_release_first() -> None:
    # The answer checks the release, then takes its time writing; the revocation
    # arrives in between. Under the lock it waits, so the answer that went out is
    # accounted before the release ended; without it, it would go out after.
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot serve two writers at once")
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST)
    client = make_client(assigned_therapist=theo)
    referral = make_referral(client, partner, theo, status=ReferralStatus.NEEDS_INFO)
    actor = Actor.for_user(theo)
    slow_step = services._take_step

    def take_step_slowly(*args: Any) -> ReferralEvent:
        time.sleep(0.6)
        return slow_step(*args)

    def answer() -> str:
        services.referral_step(actor=actor, referral=referral, step=Step.ANSWER, text="No.")
        return "answered"

    def revoke() -> str:
        time.sleep(0.2)
        consent_revoke(actor=actor, signed=referral.release, reason="Withdrawn.")
        return "revoked"

    with mock.patch("partners.services._take_step", take_step_slowly):
        outcomes = run_together(answer, revoke)

    assert sorted(outcomes) == ["answered", "revoked"], outcomes
    disclosure = Disclosure.objects.get(kind=DisclosureKind.MESSAGE)
    assert disclosure.at < ConsentRevocation.objects.get().revoked_at
