"""Writes to measures: sending a link, recording a response (the client's answers
through a link are in measures.answering.services, a paper form in measures.paper).

Each write is atomic and audited (detail holds ids, codes and statuses only). A
measure link is a random token; the database keeps only its SHA-256, so the table
alone cannot open a link. The raw token exists in the e-mail and, for a client
without an e-mail address, once on the staff page that created it.

Who acts is an `accounts.actor.Actor`: staff sending or typing in a paper form, the
system sending on a schedule, or the client answering through the link
(`Actor.client_on_link`, whose answers are never credited to a staff session the
device also holds: that session is only named in the audit detail).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import User
from audit.services import log_action
from clients.models import Client
from common.dates import plausible
from common.links import absolute_url
from common.timefmt import local_long
from common.tokens import new_token, token_hash
from measures.alerts import safety
from measures.models import Instrument, MeasureLink, Reason, Response, SafetyAlert, Source
from measures.scoring import score
from notifications.services import email_queue
from treatment.models import TreatmentCourse, TreatmentSession

# Instruments whose cut-point is a practice setting (PCL5_CUT_POINT).
CUT_POINT_SETTINGS = {"pcl5": "PCL5_CUT_POINT"}

NOT_AN_OPTION = "An answer is not one of the choices offered; choose again."


class MeasureError(Exception):
    """A measures action that cannot be done; the message is safe to show. `field` names
    the form field the message belongs beside (None: the form as a whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def link_days() -> int:
    return int(settings.MEASURE_LINK_DAYS)


def answer_url(token: str) -> str:
    return absolute_url("measure_answer:answer", token)


def instruments_for(codes: Iterable[str]) -> list[Instrument]:
    """The loaded instruments for `codes`, in the order given, each once."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        raise MeasureError("Choose at least one questionnaire.", field="instruments")
    found = {i.code: i for i in Instrument.objects.filter(code__in=wanted)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise MeasureError("Choose questionnaires from the list.", field="instruments")
    return [found[code] for code in wanted]


def cut_point_for(instrument: Instrument) -> int | None:
    name = CUT_POINT_SETTINGS.get(instrument.code)
    if name and instrument.definition.get("cut_point"):
        return int(getattr(settings, name))
    return None


def check_answers(definition: Mapping[str, Any], answers: Mapping[Any, Any]) -> None:
    """Refuse an answer the definition does not offer (an unknown item, or a value that
    is not one of its choices). Complete or not: a draft is checked the same way."""
    allowed = {
        str(item["number"]): [o["value"] for o in definition["options"]]
        for item in definition["items"]
    }
    for extra in definition.get("unscored_items") or []:
        allowed[str(extra["key"])] = [o["value"] for o in extra["options"]]
    for key, value in answers.items():
        offered = allowed.get(str(key))
        if offered is None or isinstance(value, bool) or value not in offered:
            raise MeasureError(NOT_AN_OPTION)


def require_client(actor: Actor) -> Actor:
    """`actor`, who must be the client on a link: answers through a link are the client's,
    and the audit trail must not credit them to staff."""
    if actor.kind != "client_link":
        raise MeasureError("Answers on a questionnaire link can only be the client's.")
    return actor


def device_detail(staff_on_device: User | None) -> dict[str, int]:
    """The audit detail naming a staff session on the device the client answers on."""
    return {"staff_session": staff_on_device.pk} if staff_on_device is not None else {}


# --- Sending ------------------------------------------------------------------


def link_send(
    *,
    actor: Actor,
    client: Client,
    codes: Iterable[str],
    reason: str = Reason.MANUAL,
    course: TreatmentCourse | None = None,
    session: TreatmentSession | None = None,
) -> tuple[MeasureLink, str]:
    """Create a link for `codes` and e-mail it if the client has an address.

    `actor` is staff, or the system when the scheduler sends. Returns the link and
    the raw token (to show once to staff when there is no e-mail).
    """
    instruments = instruments_for(codes)
    # A paper draft (measures/paper.py) is never sent: it has no token to send.
    if reason not in Reason.values or reason == Reason.PAPER:
        raise MeasureError("Choose why the questionnaires are sent.")
    if course is not None and course.client_id != client.pk:
        raise MeasureError("That course is not this client's.")
    if session is not None and (course is None or session.course_id != course.pk):
        raise MeasureError("That session is not part of this course.")
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
            created_by=actor.user,
            expires_at=now + timedelta(days=link_days()),
        )
        log_action(
            actor,
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
                to=client.email,
                template="notifications/email/measure_request",
                context={
                    "practice": settings.PRACTICE_NAME,
                    "phone": settings.PRACTICE_PHONE,
                    "link": answer_url(token),
                    "expires": local_long(link.expires_at),
                },
            )
    return link, token


# --- Recording ----------------------------------------------------------------


def _raise_alerts(*, actor: Actor, response: Response) -> list[SafetyAlert]:
    """measures.alerts.safety.alert_raise_for_response, one name the tests can stand in for."""
    return safety.alert_raise_for_response(actor=actor, response=response)


def response_record(
    *,
    actor: Actor,
    client: Client,
    instrument: Instrument,
    answers: Mapping[int, int],
    unscored: Mapping[str, int] | None = None,
    source: str = Source.LINK,
    link: MeasureLink | None = None,
    answered_at: datetime | None = None,
    staff_on_device: User | None = None,
) -> Response:
    """Score and store one completed instrument, then raise any safety alerts.

    Raises measures.scoring.ScoringError for answers that cannot be scored.
    """
    response, _ = response_record_with_alerts(
        actor=actor,
        client=client,
        instrument=instrument,
        answers=answers,
        unscored=unscored,
        source=source,
        link=link,
        answered_at=answered_at,
        staff_on_device=staff_on_device,
    )
    return response


def response_record_with_alerts(
    *,
    actor: Actor,
    client: Client,
    instrument: Instrument,
    answers: Mapping[int, int],
    unscored: Mapping[str, int] | None = None,
    source: str = Source.LINK,
    link: MeasureLink | None = None,
    answered_at: datetime | None = None,
    staff_on_device: User | None = None,
) -> tuple[Response, list[SafetyAlert]]:
    """`response_record`, also returning the safety alerts it raised.

    A paper form, or a previous provider's FHIR file, is entered by staff
    (`actor.staff`, stored as `entered_by`); a response on a link is the client's
    (`Actor.client_on_link`).
    """
    if source in (Source.PAPER, Source.FHIR):
        entered_by: User | None = actor.staff
    elif source == Source.LINK:
        require_client(actor)
        entered_by = None
    else:
        raise MeasureError("Say where the answers come from.")
    if link is not None and (
        link.client_id != client.pk or instrument.code not in link.instruments
    ):
        raise MeasureError("That link is not for this client's questionnaire.")
    if answered_at is not None:
        # A stored day at the end of the calendar would break the client's chart.
        problem = plausible().problem(answered_at)
        if problem:
            raise MeasureError(problem, field="answered_on")
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
        log_action(
            actor,
            "measure.record",
            response,
            client=client,
            detail={
                "instrument": instrument.code,
                "version": instrument.version,
                "source": source,
                "link": link.pk if link else None,
                **({} if source != Source.LINK else device_detail(staff_on_device)),
            },
        )
        alerts = _raise_alerts(actor=actor, response=response)
    return response, alerts


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
