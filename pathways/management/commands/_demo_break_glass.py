"""Emergency (break-glass) access for the demo: Olive Okafor, the on-call therapist,
is named in advance (the `clients.break_glass` permission), cares for no client of
her own, and once opened Jamie Fox's record overnight, for a crisis call while Theo
was away, and ended it herself after 25 minutes. The admin's list of grants
(/staff/clients/break-glass/grants/) shows it."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Permission

from accounts.models import Role, User
from clients.models import BreakGlassGrant, Client
from pathways.management.commands._demo_common import at, day_ago

ON_CALL = ("oncall", "Olive", "Okafor", "LCSW")
JAMIE_BORN = dt.date(1990, 7, 14)
REASON = (
    "Crisis line call at 23:40 while Theo was off; needed the safety plan and the "
    "emergency contact to arrange a check on the client."
)


def seed_break_glass(password_hash: str) -> User:
    """The on-call therapist, named for emergency access, and her one past grant
    (`password_hash`: the demo password, hashed once for every demo user)."""
    username, first, last, credentials = ON_CALL
    olive = User(
        username=username,
        role=Role.THERAPIST,
        first_name=first,
        last_name=last,
        credentials=credentials,
        email=f"{username}@pathways.example",
        on_call=True,
    )
    olive.password = password_hash
    olive.save()
    olive.user_permissions.add(Permission.objects.get(codename="break_glass"))
    # Jamie's date of birth, so that the emergency-access form can name her exactly.
    jamie = Client.objects.get(first_name="Jamie", last_name="Fox")
    jamie.date_of_birth = JAMIE_BORN
    jamie.save(update_fields=["date_of_birth"])
    started = at(day_ago(9), 23, 44)
    BreakGlassGrant.objects.create(
        user=olive,
        client=jamie,
        reason=REASON,
        started_at=started,
        expires_at=started + dt.timedelta(minutes=60),
        ended_at=started + dt.timedelta(minutes=25),
        ended_by=olive,
    )
    return olive
