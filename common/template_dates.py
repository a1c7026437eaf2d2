"""The `date` and `time` template filters, safe at the edges of the calendar.

Django's own filters turn an aware datetime into the practice's time zone before
formatting it, and that raises OverflowError when the result would fall outside the
years 1–9999: UTC midnight of 0001-01-01 is still year 0 in Virginia. New input is
bounded (common.dates), but a value stored before the bounds existed (a paper
questionnaire dated 0001-01-01, issue 10 §5) must not turn every page that shows it
into a 500. These filters replace Django's (settings.TEMPLATES "builtins"): the same
formats and the same conversion, except that a value the time zone cannot hold is
shown as stored, in UTC. `{% localtime off %}` is not honoured by them; no template
uses it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.conf import settings
from django.template import defaultfilters
from django.utils import timezone

register = template.Library()


def shown(value: Any) -> Any:
    """`value` in the practice's time zone, as Django's filters would show it, or as
    stored (UTC) when that zone cannot hold it."""
    # As django.utils.timezone.template_localtime: aware values only, and not one the
    # `utc` filter marked to stay in UTC.
    if not isinstance(value, dt.datetime) or not timezone.is_aware(value):
        return value
    if not settings.USE_TZ or not getattr(value, "convert_to_local_time", True):
        return value
    try:
        return timezone.localtime(value)
    except OverflowError:
        return value


@register.filter(is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    return defaultfilters.date(shown(value), arg)


@register.filter(is_safe=False)
def time(value: Any, arg: str | None = None) -> str:
    return defaultfilters.time(shown(value), arg)
