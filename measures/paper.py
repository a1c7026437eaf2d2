"""An incomplete paper form whose safety item is answered above its threshold.

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

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import log_action
from clients.models import Client
from common.tokens import new_token, token_hash
from measures import safety
from measures.models import Instrument, MeasureLink, Reason, SafetyAlert

PARTIAL_ACTION = "measure.paper_partial"


def paper_draft_for(client: Client, instrument: Instrument) -> MeasureLink | None:
    """The client's pending paper draft of this instrument, if one is kept."""
    return (
        MeasureLink.objects.filter(
            client=client, reason=Reason.PAPER, instruments=[instrument.code], used_at=None
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def paper_partial_save(
    *,
    client: Client,
    instrument: Instrument,
    answers: Mapping[Any, int],
    by: Any,
    request: HttpRequest | None = None,
) -> list[SafetyAlert]:
    """Keep an incomplete paper form's answers and raise its safety alerts, if any.

    Stores nothing when no safety item is above its threshold (the form's field
    errors say what is missing, as before). Returns the alerts raised or kept.
    """
    typed = {str(number): value for number, value in answers.items() if value is not None}
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
                created_by=by,
                expires_at=now,
                cancelled_at=now,
            )
        link.draft = {instrument.code: typed}
        link.save(update_fields=["draft"])
        log_action(
            request,
            PARTIAL_ACTION,
            link,
            client=client,
            detail={"instrument": instrument.code, "items": sorted(int(k) for k in typed)},
        )
    return safety.raise_draft_alerts(link=link, request=request)


def paper_draft_close(*, client: Client, instrument: Instrument) -> MeasureLink | None:
    """The complete form is being entered: close the pending draft and return it, so the
    Response is stored on it and takes over its alerts."""
    link = paper_draft_for(client, instrument)
    if link is not None:
        MeasureLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
    return link
