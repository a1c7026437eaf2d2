"""Writes to measures: sending a link, recording a response, the client's submit.

Each write is atomic and audited (detail holds ids, codes and statuses only). A
measure link is a random token; the database keeps only its SHA-256, so the table
alone cannot open a link. The raw token exists in the e-mail and, for a client
without an e-mail address, once on the staff page that created it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import log_action
from clients.models import Client
from common.links import absolute_url
from common.timefmt import local_day, local_long
from common.tokens import new_token, token_hash
from measures import safety
from measures.models import Instrument, MeasureLink, Reason, Response, SafetyAlert, Source
from measures.scoring import score
from notifications.services import email_queue
from treatment.models import TreatmentCourse, TreatmentSession

# Instruments whose cut-point is a practice setting (PCL5_CUT_POINT).
CUT_POINT_SETTINGS = {"pcl5": "PCL5_CUT_POINT"}


class MeasureError(Exception):
    """A measures action that cannot be done; the message is safe to show."""


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


def link_days() -> int:
    return int(settings.MEASURE_LINK_DAYS)


def answer_url(token: str) -> str:
    return absolute_url("measure_answer:answer", token)


def instruments_for(codes: Iterable[str]) -> list[Instrument]:
    """The loaded instruments for `codes`, in the order given, each once."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        raise MeasureError("Choose at least one questionnaire.")
    found = {i.code: i for i in Instrument.objects.filter(code__in=wanted)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise MeasureError("Choose questionnaires from the list.")
    return [found[code] for code in wanted]


def cut_point_for(instrument: Instrument) -> int | None:
    name = CUT_POINT_SETTINGS.get(instrument.code)
    if name and instrument.definition.get("cut_point"):
        return int(getattr(settings, name))
    return None


def _as_client(request: HttpRequest | None) -> HttpRequest | None:
    """The request as the audit trail should see it: made by the client, who has no
    account, even when the device also holds a staff session (a tablet in the office)."""
    if request is None:
        return None
    as_client = copy.copy(request)
    as_client.user = AnonymousUser()
    return as_client


def _staff_on_device(request: HttpRequest | None) -> dict[str, int]:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {"staff_session": user.pk}
    return {}


def _actor(request: HttpRequest | None) -> Any:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


# --- Sending ------------------------------------------------------------------


def link_send(
    request: HttpRequest | None,
    client: Client,
    codes: Iterable[str],
    reason: str = Reason.MANUAL,
    course: TreatmentCourse | None = None,
    session: TreatmentSession | None = None,
) -> tuple[MeasureLink, str]:
    """Create a link for `codes` and e-mail it if the client has an address.

    `request` is None when the scheduler sends. Returns the link and the raw token
    (to show once to staff when there is no e-mail).
    """
    instruments = instruments_for(codes)
    token = new_token()
    now = timezone.now()
    with transaction.atomic():
        link = MeasureLink.objects.create(
            client=client,
            instruments=[i.code for i in instruments],
            reason=reason,
            course=course,
            session=session,
            token_hash=token_hash(token),
            created_by=_actor(request),
            expires_at=now + timedelta(days=link_days()),
        )
        log_action(
            request,
            "measure.send",
            link,
            client=client,
            detail={
                "instruments": link.instruments,
                "reason": reason,
                "course": course.pk if course else None,
                "session": session.pk if session else None,
                "emailed": bool(client.email),
            },
        )
        if client.email:
            # Nothing here names the client or the questionnaires.
            email_queue(
                client.email,
                "notifications/email/measure_request",
                {
                    "practice": settings.PRACTICE_NAME,
                    "phone": settings.PRACTICE_PHONE,
                    "link": answer_url(token),
                    "expires": local_long(link.expires_at),
                },
            )
    return link, token


# --- Recording ----------------------------------------------------------------


def _raise_alerts(request: HttpRequest | None, response: Response) -> list[SafetyAlert]:
    """measures.safety.raise_alerts, one name the tests can stand in for."""
    return safety.raise_alerts(request, response)


def response_record(
    request: HttpRequest | None,
    client: Client,
    instrument: Instrument,
    answers: Mapping[int, int],
    unscored: Mapping[str, int] | None = None,
    source: str = Source.LINK,
    link: MeasureLink | None = None,
    entered_by: Any = None,
    answered_at: datetime | None = None,
) -> Response:
    """Score and store one completed instrument, then raise any safety alerts.

    Raises measures.scoring.ScoringError for answers that cannot be scored.
    """
    response, _ = response_record_with_alerts(
        request, client, instrument, answers, unscored, source, link, entered_by, answered_at
    )
    return response


def response_record_with_alerts(
    request: HttpRequest | None,
    client: Client,
    instrument: Instrument,
    answers: Mapping[int, int],
    unscored: Mapping[str, int] | None = None,
    source: str = Source.LINK,
    link: MeasureLink | None = None,
    entered_by: Any = None,
    answered_at: datetime | None = None,
) -> tuple[Response, list[SafetyAlert]]:
    """`response_record`, also returning the safety alerts it raised."""
    definition = instrument.definition
    result = score(definition, answers, unscored=unscored, cut_point=cut_point_for(instrument))
    with transaction.atomic():
        response = Response.objects.create(
            client=client,
            instrument=instrument,
            definition_version=instrument.version,
            link=link,
            source=source,
            entered_by=entered_by,
            answers={str(k): v for k, v in sorted(answers.items())},
            unscored=dict(result.unscored),
            total=result.total,
            band_key=result.band_key,
            band_label=result.band_label,
            subscores=dict(result.subscores),
            provisional=result.provisional,
            answered_at=answered_at or timezone.now(),
        )
        audit_request = request if source == Source.PAPER else _as_client(request)
        log_action(
            audit_request,
            "measure.record",
            response,
            client=client,
            detail={
                "instrument": instrument.code,
                "version": instrument.version,
                "source": source,
                "link": link.pk if link else None,
                **({} if source == Source.PAPER else _staff_on_device(request)),
            },
        )
        alerts = _raise_alerts(audit_request, response)
    return response, alerts


# --- The client's answers -----------------------------------------------------


def link_open_log(request: HttpRequest, link: MeasureLink) -> None:
    """Record that the answering page of a link was shown."""
    log_action(
        _as_client(request),
        "measure.open",
        link,
        client=link.client,
        detail=_staff_on_device(request),
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
    request: HttpRequest, link: MeasureLink, draft: Mapping[str, Mapping[str, int]]
) -> tuple[MeasureLink, list[SafetyAlert]]:
    """Keep the answers given so far (the client can come back through the link),
    then raise an alert for each safety item answered above its threshold.

    The draft commits first, on its own: the answers are stored whatever happens
    while raising. Returns the link and the alerts of this draft's flagged items
    (the client sees the crisis resources); saving again e-mails nobody twice.
    """
    with transaction.atomic():
        locked = _locked_open(link)
        locked.draft = {
            code: {str(k): v for k, v in answers.items()}
            for code, answers in draft.items()
            if code in locked.instruments
        }
        locked.save(update_fields=["draft"])
        log_action(
            _as_client(request),
            "measure.draft",
            locked,
            client=locked.client,
            detail={
                "answered": {code: len(a) for code, a in locked.draft.items()},
                **_staff_on_device(request),
            },
        )
    alerts = safety.raise_draft_alerts(link=locked, request=_as_client(request))
    return locked, alerts


def split_answers(
    definition: Mapping[str, Any], answers: Mapping[str, int]
) -> tuple[dict[int, int], dict[str, int]]:
    """A stored/posted answer dict ({"1": 0, "difficulty": 1}) as (items, unscored)."""
    numbers = {str(item["number"]): item["number"] for item in definition["items"]}
    keys = {extra["key"] for extra in definition.get("unscored_items") or []}
    items = {numbers[k]: v for k, v in answers.items() if k in numbers}
    unscored = {k: v for k, v in answers.items() if k in keys}
    return items, unscored


def missing_items(definition: Mapping[str, Any], answers: Mapping[str, int]) -> list[int]:
    items, _ = split_answers(definition, answers)
    return [item["number"] for item in definition["items"] if item["number"] not in items]


def link_submit(
    request: HttpRequest, link: MeasureLink, answers_by_code: Mapping[str, Mapping[str, int]]
) -> tuple[list[Response], list[SafetyAlert]]:
    """Store one Response per instrument of the link and use the link up, exactly once.

    The answers are first saved as the draft (link_save_draft, which raises any
    safety alert): nothing typed is lost, and an alert never waits for the other
    questionnaires. An incomplete instrument raises IncompleteError (with those
    alerts) and stores no Response; else the Responses take the draft's alerts
    over. The link is checked again under a row lock, so of two submits that
    both saw it open, one stores the responses and the other gets LinkClosedError.
    """
    _, draft_alerts = link_save_draft(request, link, answers_by_code)
    with transaction.atomic():
        locked = _locked_open(link)
        instruments = instruments_for(locked.instruments)
        missing = {
            i.code: gaps
            for i in instruments
            if (gaps := missing_items(i.definition, answers_by_code.get(i.code, {})))
        }
        if missing:
            raise IncompleteError(missing, draft_alerts)
        now = timezone.now()
        responses: list[Response] = []
        alerts: list[SafetyAlert] = []
        for instrument in instruments:
            items, unscored = split_answers(
                instrument.definition, answers_by_code[instrument.code]
            )
            response, raised = response_record_with_alerts(
                request,
                locked.client,
                instrument,
                items,
                unscored,
                source=Source.LINK,
                link=locked,
                answered_at=now,
            )
            responses.append(response)
            alerts.extend(raised)
        locked.used_at = now
        locked.draft = {}
        locked.save(update_fields=["used_at", "draft"])
        log_action(
            _as_client(request),
            "measure.submit",
            locked,
            client=locked.client,
            detail={
                "responses": [r.pk for r in responses],
                "alerts": [a.pk for a in alerts],
                **_staff_on_device(request),
            },
        )
    return responses, alerts


# --- Reading ------------------------------------------------------------------


def latest_scores(client: Client) -> list[dict[str, Any]]:
    """The newest response per instrument, for summaries (the partner referral snapshot):
    [{"instrument": "PHQ-9", "score": 12, "band": "Moderate", "date": "2026-11-20"}]."""
    seen: set[int] = set()
    result: list[dict[str, Any]] = []
    responses = Response.objects.filter(client=client).select_related("instrument")
    for response in responses.order_by("-answered_at", "-id"):
        if response.instrument_id in seen:
            continue
        seen.add(response.instrument_id)
        result.append(
            {
                "instrument": response.instrument.short_name,
                "score": response.total,
                "band": response.band_label,
                "date": local_day(response.answered_at),
            }
        )
    return sorted(result, key=lambda row: row["instrument"])
