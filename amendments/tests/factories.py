"""Test factories for amendment requests (rows made directly, as received today)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from amendments.models import DAYS_TO_ACT, AmendmentRequest, RecordPart
from clients.models import Client


def make_amendment(client: Client, by: User, **extra: Any) -> AmendmentRequest:
    received = extra.pop("received_on", timezone.localdate())
    data: dict[str, Any] = {
        "client": client,
        "received_on": received,
        "due_on": received + dt.timedelta(days=DAYS_TO_ACT),
        "concerns": RecordPart.DIAGNOSES,
        "requested_change": "Please remove the old diagnosis.",
        "created_by": by,
    }
    data.update(extra)
    return AmendmentRequest.objects.create(**data)
