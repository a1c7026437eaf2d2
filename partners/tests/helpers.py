"""Helpers shared by the referral tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from partners.prescreen import PRESCREEN_ITEMS


def all_answers(answer: str = "no", **overrides: str) -> dict[str, str]:
    answers = {key: answer for key, _ in PRESCREEN_ITEMS}
    answers.update(overrides)
    return answers


def referral_form(partner_id: int | str, **extra: Any) -> dict[str, Any]:
    """POST data for the new-referral form, every pre-screen item answered (`partner_id`
    may be any text, as a crafted request sends)."""
    data: dict[str, Any] = {
        "partner": str(partner_id),
        "reason": "Recurrent depression; two SSRIs tried without relief.",
        "prescreen_notes": "",
    }
    data.update({f"prescreen_{key}": value for key, value in all_answers().items()})
    data.update(extra)
    return data


def in_a_week() -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=7)).replace(second=0, microsecond=0)


def local_input(when: dt.datetime) -> str:
    """`when` as a datetime-local input holds it: practice time, to the minute."""
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")
