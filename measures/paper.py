"""Paper forms typed in by staff: a complete one (`paper_record`, a Response entered
by `actor.staff`), and an incomplete one whose safety item is answered above its
threshold (`paper_partial_save`).

A paper PHQ-9 with item 9 answered 3 and another item left blank cannot be
scored, so it cannot be stored as a Response. The suicide-risk answer must not
wait for the missing item (issue 8 §5): its typed answers are kept at once as
the draft of a closed link (`Reason.PAPER`: never sent, already expired and
cancelled, so no token can open it), and the alert is raised from that draft
exactly as for a client's draft — e-mailed, on every clinician's dashboard,
closing the dosing gate. When the complete form is entered later, the Response
takes over the draft's alert, so nobody is alerted twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from audit.services import log_action
from clients.models import Client
from common.dates import paper_measure_days
from common.tokens import new_token, token_hash
from measures import services
from measures.alerts import safety
from measures.models import Instrument, MeasureLink, Reason, Response, SafetyAlert, Source

PARTIAL_ACTION = "measure.paper_partial"
FUTURE_DAY = "The date cannot be in the future."


def paper_draft_for(client: Client, instrument: Instrument) -> MeasureLink | None:
    """The client's pending paper draft of this instrument, if one is kept."""
    return (
        MeasureLink.objects.filter(
            client=client, reason=Reason.PAPER, instruments=[instrument.code], used_at=None
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def paper_record(
    *,
    actor: Actor,
    client: Client,
    instrument: Instrument,
    answers: Mapping[str, int],
    answered_on: dt.date,
) -> tuple[Response, list[SafetyAlert]]:
    """Store a complete paper form (answers as {"1": 0, …, "difficulty": 1}), entered by
    `actor.staff`, and raise its safety alerts; returns the Response and those alerts.

    An earlier incomplete entry's kept answers (a pending paper draft) are closed in the
    same transaction and the Response is stored on that draft, so it takes over the
    draft's alert instead of raising a second one. Raises MeasureError for a day in the
    future or an answer not offered, and measures.scoring.ScoringError for answers that
    cannot be scored (nothing is stored then, and the draft stays open). The day is
    also refused outside `common.dates.paper_measure_days` (before the client's record,
    less its grace, or before 2000).
    """
    if answered_on > timezone.localdate():
        raise services.MeasureError(FUTURE_DAY, field="answered_on")
    problem = paper_measure_days(client.created_at).problem(answered_on)
    if problem:
        raise services.MeasureError(problem, field="answered_on")
    services.check_answers(instrument.definition, answers)
    items, unscored = services.split_answers(instrument.definition, answers)
    # The paper form carries a day, not a time: store local noon of that day.
    answered_at = timezone.make_aware(dt.datetime.combine(answered_on, dt.time(12)))
    with transaction.atomic():
        return services.response_record_with_alerts(
            actor=actor,
            client=client,
            instrument=instrument,
            answers=items,
            unscored=unscored,
            source=Source.PAPER,
            link=_draft_close(client=client, instrument=instrument),
            answered_at=answered_at,
        )


def paper_partial_save(
    *,
    actor: Actor,
    client: Client,
    instrument: Instrument,
    answers: Mapping[Any, int | None],
) -> list[SafetyAlert]:
    """Keep an incomplete paper form's answers and raise its safety alerts, if any.

    Stores nothing when no safety item is above its threshold (the form's field
    errors say what is missing, as before). Returns the alerts raised or kept.
    """
    staff = actor.staff  # only staff type in a paper form
    typed = {str(number): value for number, value in answers.items() if value is not None}
    services.check_answers(instrument.definition, typed)
    if not safety.flagged_items(instrument.definition, typed):
        return []
    with transaction.atomic():
        now = timezone.now()
        link = paper_draft_for(client, instrument)
        if link is None:
            link = MeasureLink.objects.create(
                client=client,
                instruments=[instrument.code],
                reason=Reason.PAPER,
                # A random hash with no token behind it: this link is never sent.
                token_hash=token_hash(new_token()),
                draft={},
                created_by=staff,
                expires_at=now,
                cancelled_at=now,
            )
        link.draft = {instrument.code: typed}
        link.save(update_fields=["draft"])
        log_action(
            actor,
            PARTIAL_ACTION,
            link,
            client=client,
            detail={
                "instrument": instrument.code,
                # The scored items typed ("difficulty" and other unscored keys are not numbers).
                "items": sorted(int(k) for k in typed if k.isdigit()),
            },
        )
    return safety.alert_raise_for_draft(actor=actor, link=link)


def _draft_close(*, client: Client, instrument: Instrument) -> MeasureLink | None:
    """The complete form is being entered: close the pending draft and return it, so the
    Response is stored on it and takes over its alerts."""
    link = paper_draft_for(client, instrument)
    if link is not None:
        MeasureLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
    return link
