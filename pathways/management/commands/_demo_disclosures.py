"""The accounting of disclosures for the demo, and a release revoked after treatment.

Every demo referral was sent under a release, and the partner's prescriber read it
when scheduling the evaluation: each is a row of partners.Disclosure, at the time the
demo says it happened. Elliot Shaw finished his course and withdrew his release of
information to the partner three days ago: the portal shows that referral only as
"no longer shared", and its page says that access ended.
"""

from __future__ import annotations

import datetime as dt

from accounts.models import Role, User
from clients.models import Client
from consents.models import ConsentRevocation
from partners.models import (
    Disclosure,
    DisclosureChannel,
    DisclosureKind,
    Referral,
    ReferralEvent,
    Step,
)
from pathways.management.commands._demo_common import at, backdate, day_ago

REVOKED_CLIENT = ("Elliot", "Shaw")


def _accounting(referral: Referral, prescriber: User) -> list[Disclosure]:
    rows = []
    events = {e.step: e for e in ReferralEvent.objects.filter(referral=referral)}
    sent = events.get(Step.SENT)
    rows.append(
        Disclosure(
            client_id=referral.client_id,
            partner_id=referral.partner_id,
            release_id=referral.release_id,
            kind=DisclosureKind.REFERRAL,
            channel=DisclosureChannel.PRACTICE_SEND,
            object_ids={"referral": referral.pk, **({"event": sent.pk} if sent else {})},
            at=referral.sent_at,
            by=referral.referred_by,
        )
    )
    scheduled = events.get(Step.SCHEDULED)
    if scheduled is not None:
        # The prescriber opened the referral in the portal to book the evaluation.
        rows.append(
            Disclosure(
                client_id=referral.client_id,
                partner_id=referral.partner_id,
                release_id=referral.release_id,
                kind=DisclosureKind.REFERRAL,
                channel=DisclosureChannel.PORTAL_READ,
                object_ids={"referral": referral.pk},
                at=scheduled.at - dt.timedelta(minutes=5),
                by=prescriber,
            )
        )
    for event in events.values():
        if event.step in (Step.ANSWER, Step.CLOSED) and event.by_id == referral.referred_by_id:
            # What the practice writes on the thread goes to the partner.
            rows.append(
                Disclosure(
                    client_id=referral.client_id,
                    partner_id=referral.partner_id,
                    release_id=referral.release_id,
                    kind=DisclosureKind.MESSAGE,
                    channel=DisclosureChannel.PRACTICE_SEND,
                    object_ids={"referral": referral.pk, "event": event.pk},
                    at=event.at,
                    by=event.by,
                )
            )
    return rows


def seed_disclosures(users: dict[str, User]) -> None:
    prescriber = users[Role.PRESCRIBER]
    rows: list[Disclosure] = []
    for referral in Referral.objects.select_related("referred_by").order_by("sent_at"):
        rows += _accounting(referral, prescriber)
    Disclosure.objects.bulk_create(rows)

    first, last = REVOKED_CLIENT
    elliot = Client.objects.get(first_name=first, last_name=last)
    referral = Referral.objects.get(client=elliot)
    revocation = ConsentRevocation.objects.create(
        consent=referral.release,
        recorded_by=users[Role.THERAPIST],
        reason="Course finished; the client asked the practice to stop sharing with the partner.",
    )
    backdate(ConsentRevocation, revocation.pk, revoked_at=at(day_ago(3), 15))
