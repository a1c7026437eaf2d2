"""What every dosing write shares: the refusal, the row locks, the clock, the prescriber.

Kept apart from dosing.services so that its parts (opening, administration) can use it
without importing each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from common.links import absolute_url
from dosing.models import DosingRecord
from dosing.rules import CLOCK_SKEW, refuse_inside_read_once, rx_in_force
from notifications.services import email_queue
from prescriptions.models import Prescription

SERIOUS_TEMPLATE = "notifications/email/dosing_serious_event"
SUMMARY_TEMPLATE = "notifications/email/dosing_summary"
EARLY_DISCHARGE_TEMPLATE = "notifications/email/dosing_early_discharge"


class DosingError(Exception):
    """A refused action; `reasons` are plain sentences for the person. `time_reasons`
    are those of them about the time typed (or taken as now): the page shows them
    beside the time field."""

    def __init__(self, *reasons: str, time: Sequence[str] = ()) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = list(reasons)
        self.time_reasons = [reason for reason in time if reason in self.reasons]

    @classmethod
    def about_time(cls, reason: str) -> DosingError:
        """A refusal of the time alone (before the dose, in the future, …)."""
        return cls(reason, time=(reason,))


def client_of(record: DosingRecord) -> Any:
    return record.session.course.client


def lock_record(record: DosingRecord) -> DosingRecord:
    """Re-read the record under a row lock: two tabs cannot both dose.

    The prescription chain is locked too, so that a revision or discontinuation
    cannot commit between the check and the write (it waits, or we read it)."""
    refuse_inside_read_once(record)
    locked = (
        DosingRecord.objects.select_for_update(of=("self",))
        .select_related("session__course__client", "prescription")
        .get(pk=record.pk)
    )
    list(
        Prescription.objects.select_for_update()
        .filter(pk__in=locked.prescription.chain_versions().values("pk"))
        .values_list("pk", flat=True)
    )
    return locked


def not_future(at: dt.datetime, what: str) -> None:
    if at > timezone.now() + CLOCK_SKEW:
        raise DosingError.about_time(f"{what} cannot be in the future.")


def too_long(model: type[models.Model], values: Mapping[str, str]) -> list[str]:
    """A sentence for each text longer than its column allows (the model's max_length,
    which the database does not check for a TextField)."""
    reasons = []
    for name, value in values.items():
        field = model._meta.get_field(name)
        limit = getattr(field, "max_length", None)
        if limit is not None and len(value) > limit:
            label = capfirst(str(getattr(field, "verbose_name", name)))
            reasons.append(f"{label} is too long: at most {limit} characters.")
    return reasons


def bounds(model: type[models.Model], name: str) -> tuple[Decimal, Decimal]:
    """(lowest, highest) a number field accepts: its model validators, one source."""
    validators = model._meta.get_field(name).validators  # type: ignore[union-attr]
    low = next(v.limit_value for v in validators if isinstance(v, MinValueValidator))
    high = next(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
    return Decimal(low), Decimal(high)


def tenths(value: Decimal) -> bool:
    """Does the value fit a column of one decimal place (without rounding)?"""
    return value.is_finite() and value == value.quantize(Decimal("0.1"))


def prescriber_recipients(record: DosingRecord) -> list[str]:
    """The prescription's prescriber and the partner's active prescribers (and its mailbox)."""
    from partners.notifications import partner_recipients

    rx = rx_in_force(record)
    addresses = set(partner_recipients(rx.referral.partner))
    if rx.prescriber.is_active and rx.prescriber.email:
        addresses.add(rx.prescriber.email)
    return sorted(addresses)


def notify_prescribers(record: DosingRecord, template: str) -> int:
    context = {
        "practice": settings.PRACTICE_NAME,
        "link": absolute_url("portal_dosing:summary", record.pk),
    }
    addresses = prescriber_recipients(record)
    for address in addresses:
        email_queue(to=address, template=template, context=context)
    return len(addresses)
