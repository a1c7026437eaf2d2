"""Two requests to amend the record for the demo (45 CFR 164.526; ONC 170.315(d)(4)).

Jamie Fox asked the practice to add the address they moved to; the therapist accepted,
changed the record, and the request links to the page that holds it. Morgan Ellis asked
to change what the note of their dosing session says about their mood; the therapist denied
it as accurate and complete; Morgan's statement of disagreement and the practice's
rebuttal are appended to it.
"""

from __future__ import annotations

import datetime as dt

from accounts.models import Role, User
from amendments.models import (
    DAYS_TO_ACT,
    AmendmentRequest,
    AmendmentStatus,
    DenialBasis,
    RecordPart,
)
from clients.models import Client
from pathways.management.commands._demo_common import at, backdate, day_ago


def _accepted(client: Client, intake: User, therapist: User) -> None:
    received = day_ago(5)
    Client.objects.filter(pk=client.pk).update(
        address_line1="14 Elm Street", city="Richmond", state="VA", postal_code="23220"
    )
    request = AmendmentRequest.objects.create(
        client=client,
        received_on=received,
        concerns=RecordPart.DEMOGRAPHICS,
        reference="Address",
        requested_change="I moved in the spring: my address is 14 Elm Street, Richmond, VA 23220.",
        due_on=received + dt.timedelta(days=DAYS_TO_ACT),
        status=AmendmentStatus.ACCEPTED,
        decided_at=at(day_ago(2), 10, 15),
        decided_by=therapist,
        decision_note="Address added on the record, as Jamie wrote it; confirmed by phone.",
        amendment_link=f"/staff/clients/{client.pk}/edit/",
        created_by=intake,
    )
    backdate(AmendmentRequest, request.pk, created_at=at(received, 9, 30))


def _denied(client: Client, intake: User, therapist: User) -> None:
    # About the note of Morgan's dosing session (_demo_session), signed two weeks ago.
    received = day_ago(11)
    request = AmendmentRequest.objects.create(
        client=client,
        received_on=received,
        concerns=RecordPart.SESSION_NOTE,
        reference="Dosing session note",
        requested_change=(
            "The assessment says I described low mood most days. I said some days; "
            "please correct it."
        ),
        due_on=received + dt.timedelta(days=DAYS_TO_ACT),
        status=AmendmentStatus.DENIED,
        decided_at=at(day_ago(6), 16, 0),
        decided_by=therapist,
        denial_basis=DenialBasis.ACCURATE,
        decision_note=(
            "The note was written on the day and records what was said in the session. "
            "You may send a statement of disagreement, which we will keep with the note."
        ),
        disagreement=(
            "I stand by my account: I said some days, not most days, and I would like "
            "anyone reading the note to know it."
        ),
        disagreement_at=at(day_ago(3), 14, 20),
        disagreement_by=intake,
        rebuttal="The therapist's note reflects the client's words at the time of the session.",
        rebuttal_at=at(day_ago(1), 9, 45),
        rebuttal_by=therapist,
        created_by=intake,
    )
    backdate(AmendmentRequest, request.pk, created_at=at(received, 12, 0))


def seed_amendments(users: dict[str, User]) -> None:
    intake, therapist = users[Role.INTAKE], users[Role.THERAPIST]
    _accepted(Client.objects.get(first_name="Jamie", last_name="Fox"), intake, therapist)
    _denied(Client.objects.get(first_name="Morgan", last_name="Ellis"), intake, therapist)
