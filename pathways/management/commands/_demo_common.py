"""Small helpers the demo practice shares: dates in the practice's time zone,
back-dating, consents, an eligible referral, a prescription, and scored measures.

Written straight to the models (as a data import of past records would), not
through the audited services: nothing here happened to a real person. What is
written still keeps the rules the services enforce (see `_demo_session`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import User
from clients.models import Client
from consents.models import ConsentDocument, SignedConsent
from measures.alerts.services import alert_acknowledge
from measures.models import Instrument, Response, SafetyAlert, Source
from measures.services import response_record
from partners.models import Partner, Referral, ReferralEvent, ReferralStatus, Step
from partners.prescreen import ITEM_LABELS
from prescriptions.models import Prescription, Route, RxModality

# The practice's own network, where the demo's clients answer their links
# (RFC 5737 documentation range).
DEMO_IP = "192.0.2.50"


def day_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def workday(day: dt.date) -> dt.date:
    """The day itself, or the Friday before a weekend day (the practice is open Mon–Fri)."""
    return day - dt.timedelta(days=max(day.weekday() - 4, 0))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime at that local time of the practice."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def backdate(model: type[models.Model], pk: int, **fields: Any) -> None:
    """Set auto_now / auto_now_add timestamps to when the demo says it happened."""
    model._default_manager.filter(pk=pk).update(**fields)


def sign(
    client: Client, kind: str, when: dt.datetime, partner: Partner | None = None
) -> SignedConsent:
    document = ConsentDocument.latest(kind)
    assert document is not None  # noqa: S101 (installed before the demo clients)
    return SignedConsent.objects.create(
        client=client,
        document=document,
        partner=partner,
        typed_name=client.full_name,
        agreed=True,
        signed_at=when,
        ip="127.0.0.1",
        document_sha256=document.sha256,
        title_signed=document.title,
        body_signed=document.body,
    )


def eligible_referral(
    client: Client,
    partner: Partner,
    therapist: User,
    prescriber: User,
    *,
    release: SignedConsent,
    sent: dt.datetime,
    evaluated: dt.datetime,
    reason: str,
    diagnoses: list[dict[str, str]],
    medications: list[str],
) -> Referral:
    """Sent, evaluation scheduled two days later, evaluated eligible at `evaluated`."""
    referral = Referral.objects.create(
        client=client,
        partner=partner,
        referred_by=therapist,
        release=release,
        reason=reason,
        diagnoses=diagnoses,
        medications=medications,
        prescreen=dict.fromkeys(ITEM_LABELS, "no"),
        status=ReferralStatus.ELIGIBLE,
        evaluation_at=evaluated,
    )
    decided = evaluated + dt.timedelta(hours=1)
    # The referral was last changed by the decision, not before it.
    backdate(Referral, referral.pk, sent_at=sent, updated_at=decided)
    steps = [
        (Step.SENT, therapist, sent, None),
        (Step.SCHEDULED, prescriber, sent + dt.timedelta(days=2), evaluated),
        (Step.ELIGIBLE, prescriber, decided, None),
    ]
    for step, by, when, evaluation_at in steps:
        event = ReferralEvent.objects.create(
            referral=referral, step=step, by=by, evaluation_at=evaluation_at
        )
        backdate(ReferralEvent, event.pk, at=when)
    referral.refresh_from_db()
    return referral


# Limits from the demo brief (ACC/AHA bands, prescriptions/ranges.py LIMIT_BOUNDS).
RX_DEFAULTS: dict[str, Any] = {
    "modality": RxModality.KAP,
    "route": Route.SUBLINGUAL,
    "sessions_authorised": 6,
    "fasting_solids_hours": Decimal("4"),
    "fasting_liquids_hours": Decimal("2"),
    "holds": [{"medication": "Benzodiazepines", "hours": 24}],
    "min_systolic": 90,
    "max_systolic": 140,
    "min_diastolic": 50,
    "max_diastolic": 90,
    "hr_min": 50,
    "hr_max": 110,
    "spo2_min": 94,
    "spo2_max": 100,
}


def prescription(
    referral: Referral, prescriber: User, written: dt.datetime, **fields: Any
) -> Prescription:
    """Version 1 of a chain, written at `written` and valid for 180 days from that day."""
    day = timezone.localdate(written)
    values = {
        **RX_DEFAULTS,
        "valid_from": day,
        "valid_to": day + dt.timedelta(days=180),
        **fields,
    }
    rx = Prescription.objects.create(
        client=referral.client, referral=referral, prescriber=prescriber, **values
    )
    backdate(Prescription, rx.pk, created_at=written)
    rx.refresh_from_db()
    return rx


# --- Measures --------------------------------------------------------------------


def answers_totalling(
    definition: dict[str, Any], total: int, fixed: dict[int, int] | None = None
) -> dict[int, int]:
    """Answers adding up to `total`, spread evenly over the items (as people answer),
    with `fixed` items set first (PHQ-9 item 9 stays 0 unless the demo says otherwise)."""
    fixed = fixed or {}
    top = max(option["value"] for option in definition["options"])
    free = [item["number"] for item in definition["items"] if item["number"] not in fixed]
    left = total - sum(fixed.values())
    if not 0 <= left <= top * len(free):
        raise ValueError(f"{definition['code']}: {total} cannot be answered.")
    base, extra = divmod(left, len(free))
    answers = dict(fixed)
    for index, number in enumerate(free):
        answers[number] = base + (1 if index < extra else 0)
    return answers


def respond(
    client: Client,
    code: str,
    total: int,
    answered_at: dt.datetime,
    fixed: dict[int, int] | None = None,
) -> Response:
    """A completed instrument, answered by the client on a link and stored by
    measures.services.response_record, which scores it and raises any safety alert
    (PHQ-9 item 9 above 0) as it would for a real answer. The alert's time is then
    set to the answer's: the demo's past happened on the day it says."""
    instrument = Instrument.objects.get(code=code)
    if code == "phq9":
        fixed = {9: 0, **(fixed or {})}
    answers = answers_totalling(instrument.definition, total, fixed)
    response = response_record(
        actor=Actor.client_on_link(DEMO_IP),
        client=client,
        instrument=instrument,
        answers=answers,
        source=Source.LINK,
        answered_at=answered_at,
    )
    SafetyAlert.objects.filter(response=response).update(raised_at=answered_at)
    return response


def acknowledge(alert: SafetyAlert, by: User, action: str, note: str, after: dt.timedelta) -> None:
    """Acknowledge through measures.alerts.services, `after` the alert was raised."""
    alert_acknowledge(actor=Actor.for_user(by), alert=alert, action=action, note=note)
    backdate(SafetyAlert, alert.pk, acknowledged_at=alert.raised_at + after)
