"""Reads of measures that other apps ask: the dosing record's same-day safety check,
the referral snapshot's scores (settings.PATHWAYS_REFERRAL_SECTIONS)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clients.models import Client
from measures.models import Response

# PHQ-9's code in measures/instruments/phq9.json.
PHQ9 = "phq9"


def latest_phq9_at(client_id: int) -> dt.datetime | None:
    """When the client last completed a PHQ-9 (on a link or on paper); None if never."""
    return (
        Response.objects.filter(client_id=client_id, instrument__code=PHQ9)
        .order_by("-answered_at")
        .values_list("answered_at", flat=True)
        .first()
    )


def referral_scores(client: Client) -> dict[str, list[Any]]:
    """For the partner referral snapshot: the newest score of each instrument,
    [{"instrument", "score", "band", "date"}], under "measure_scores"."""
    from measures.services import latest_scores

    return {"measure_scores": latest_scores(client)}
