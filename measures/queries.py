"""Reads of measures that other apps ask: the dosing record's same-day safety check,
the referral snapshot's scores (settings.PATHWAYS_REFERRAL_SECTIONS)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clients.models import Client
from common.timefmt import local_day
from measures.models import Response, Source

# PHQ-9's code in measures/instruments/phq9.json.
PHQ9 = "phq9"


def latest_phq9_at(client_id: int) -> dt.datetime | None:
    """When the client last completed a PHQ-9 with the practice (on a link or on paper);
    None if never. A PHQ-9 imported from a previous provider's file is history, not the
    screen the practice takes before a dose (measures.gate)."""
    return (
        Response.objects.filter(client_id=client_id, instrument__code=PHQ9)
        .exclude(source=Source.FHIR)
        .order_by("-answered_at")
        .values_list("answered_at", flat=True)
        .first()
    )


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


def referral_scores(client: Client) -> dict[str, list[Any]]:
    """For the partner referral snapshot: the newest score of each instrument,
    [{"instrument", "score", "band", "date"}], under "measure_scores"."""
    return {"measure_scores": latest_scores(client)}
