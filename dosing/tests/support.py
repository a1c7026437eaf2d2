"""An open dosing record, and the data of its forms, for the dosing tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import RequestFactory
from django.utils import timezone

from accounts.access import AuthedRequest
from accounts.models import User
from dosing import services
from dosing.models import DosingRecord, VitalSigns
from partners.models import Partner
from treatment.tests.support import Ready, make_ready

IN_RANGE = {"systolic": 120, "diastolic": 80, "heart_rate": 72, "spo2": 98}
HIGH_BP = {"systolic": 152, "diastolic": 96, "heart_rate": 72, "spo2": 98}


def request_as(user: User) -> AuthedRequest:
    request = RequestFactory().post("/")
    request.user = user
    return request  # type: ignore[return-value]


def local(at: dt.datetime) -> str:
    """How a datetime-local input sends a moment: practice time, to the minute."""
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def ago(minutes: int) -> dt.datetime:
    return (timezone.now() - dt.timedelta(minutes=minutes)).replace(second=0, microsecond=0)


def open_record(
    therapist: User, prescriber: User, partner: Partner, **rx: Any
) -> tuple[Ready, DosingRecord]:
    """A gate-ready dosing session, started, with its record open (rx fields overridable)."""
    ready = make_ready(therapist, prescriber, partner)
    assert ready.prescription is not None
    if rx:
        for name, value in rx.items():
            setattr(ready.prescription, name, value)
        ready.prescription.save()
    record, checks = services.record_open(request_as(therapist), ready.session.pk)
    assert record is not None, [c for c in checks if not c.ok]
    return ready, record


def predose_done(record: DosingRecord, **extra: Any) -> None:
    data: dict[str, Any] = {
        "fasting_confirmed": True,
        "fasting_hours": Decimal("5"),
        "holds_respected": True,
        "escort_name": "Walter Skinner",
        "escort_phone": "(555) 010-0150",
        "intention": "To meet the grief with kindness.",
    }
    data.update(extra)
    DosingRecord.objects.filter(pk=record.pk).update(**data)
    record.refresh_from_db()


def add_vitals(
    record: DosingRecord,
    user: User,
    phase: str = VitalSigns.Phase.BASELINE,
    minutes_ago: int = 30,
    **values: Any,
) -> tuple[VitalSigns, list[str]]:
    data: dict[str, Any] = {**IN_RANGE, "phase": phase, "taken_at": ago(minutes_ago)}
    data.update(values)
    return services.vitals_add(request_as(user), record, data)


def cleared(record: DosingRecord, user: User, minutes_ago: int = 30) -> None:
    """Pre-dose checks done and an in-range baseline: the dose may be given."""
    predose_done(record)
    add_vitals(record, user, minutes_ago=minutes_ago)


def give_dose(
    record: DosingRecord, user: User, witness: User, mg: str = "100", minutes_ago: int = 20
) -> Any:
    return services.administer(
        request_as(user), record, "dose", Decimal(mg), ago(minutes_ago), user, witness
    )


def post_data(prefix: str, **fields: Any) -> dict[str, Any]:
    return {f"{prefix}-{name}": value for name, value in fields.items()}
