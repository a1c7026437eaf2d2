"""The client's answers through a measure link: opening it, saving a draft, submitting.

The client has no account: the link is the key, and the actor is always
`Actor.client_on_link` (measures.services.require_client refuses any other), even
when the device also holds a staff session (a tablet in the office); that session
is named in the audit detail (`staff_on_device`), never credited with the answers.

A safety item answered above its threshold (PHQ-9 item 9 > 0) raises its alert as
soon as the answers are stored, before anything else (measures.alerts.safety).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import User
from audit.services import log_action
from measures.alerts import safety
from measures.models import MeasureLink, Response, SafetyAlert, Source
from measures.services import (
    MeasureError,
    check_answers,
    device_detail,
    instruments_for,
    missing_items,
    require_client,
    response_record_with_alerts,
    split_answers,
)


class LinkClosedError(MeasureError):
    """The link was used, cancelled or has expired."""


class IncompleteError(MeasureError):
    """Answers are missing. `missing` maps an instrument code to the unanswered item
    numbers; `alerts` are the safety alerts raised by the draft kept all the same."""

    def __init__(
        self, missing: dict[str, list[int]], alerts: list[SafetyAlert] | None = None
    ) -> None:
        super().__init__("Some questions are not answered yet.")
        self.missing = missing
        self.alerts = alerts or []


def link_open_log(*, actor: Actor, link: MeasureLink, staff_on_device: User | None = None) -> None:
    """Record that the answering page of a link was shown."""
    log_action(
        require_client(actor),
        "measure.open",
        link,
        client=link.client,
        detail=device_detail(staff_on_device),
    )


def _locked_open(link: MeasureLink) -> MeasureLink:
    locked = (
        MeasureLink.objects.select_for_update(of=("self",))
        .select_related("client")
        .get(pk=link.pk)
    )
    if not locked.is_open():
        raise LinkClosedError("This link has expired or has already been used.")
    return locked


def link_save_draft(
    *,
    actor: Actor,
    link: MeasureLink,
    draft: Mapping[str, Mapping[str, int]],
    staff_on_device: User | None = None,
) -> tuple[MeasureLink, list[SafetyAlert]]:
    """Keep the answers given so far (the client can come back through the link),
    then raise an alert for each safety item answered above its threshold.

    The draft commits first, on its own: the answers are stored whatever happens
    while raising. Returns the link and the alerts of this draft's flagged items
    (the client sees the crisis resources); saving again e-mails nobody twice.
    An answer that is not one of the choices offered stores nothing (MeasureError).
    """
    require_client(actor)
    for instrument in instruments_for(link.instruments):
        check_answers(instrument.definition, draft.get(instrument.code) or {})
    with transaction.atomic():
        locked = _locked_open(link)
        locked.draft = {
            code: {str(k): v for k, v in answers.items()}
            for code, answers in draft.items()
            if code in locked.instruments
        }
        locked.save(update_fields=["draft"])
        log_action(
            actor,
            "measure.draft",
            locked,
            client=locked.client,
            detail={
                "answered": {code: len(a) for code, a in locked.draft.items()},
                **device_detail(staff_on_device),
            },
        )
    alerts = safety.alert_raise_for_draft(actor=actor, link=locked)
    return locked, alerts


def link_submit(
    *,
    actor: Actor,
    link: MeasureLink,
    answers: Mapping[str, Mapping[str, int]],
    staff_on_device: User | None = None,
) -> tuple[list[Response], list[SafetyAlert]]:
    """Store one Response per instrument of the link and use the link up, exactly once.

    The answers (by instrument code) are first saved as the draft (link_save_draft,
    which raises any safety alert): nothing typed is lost, and an alert never waits
    for the other questionnaires. An incomplete instrument raises IncompleteError
    (with those alerts) and stores no Response; else the Responses take the draft's
    alerts over. The link is checked again under a row lock, so of two submits that
    both saw it open, one stores the responses and the other gets LinkClosedError.
    """
    _, draft_alerts = link_save_draft(
        actor=actor, link=link, draft=answers, staff_on_device=staff_on_device
    )
    with transaction.atomic():
        locked = _locked_open(link)
        instruments = instruments_for(locked.instruments)
        missing = {
            i.code: gaps
            for i in instruments
            if (gaps := missing_items(i.definition, answers.get(i.code, {})))
        }
        if missing:
            raise IncompleteError(missing, draft_alerts)
        now = timezone.now()
        responses: list[Response] = []
        alerts: list[SafetyAlert] = []
        for instrument in instruments:
            items, unscored = split_answers(instrument.definition, answers[instrument.code])
            response, raised = response_record_with_alerts(
                actor=actor,
                client=locked.client,
                instrument=instrument,
                answers=items,
                unscored=unscored,
                source=Source.LINK,
                link=locked,
                answered_at=now,
                staff_on_device=staff_on_device,
            )
            responses.append(response)
            alerts.extend(raised)
        locked.used_at = now
        locked.draft = {}
        locked.save(update_fields=["used_at", "draft"])
        log_action(
            actor,
            "measure.submit",
            locked,
            client=locked.client,
            detail={
                "responses": [r.pk for r in responses],
                "alerts": [a.pk for a in alerts],
                **device_detail(staff_on_device),
            },
        )
    return responses, alerts
