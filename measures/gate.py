"""What measures adds to the dosing gate (settings.PATHWAYS_GATE_CONDITIONS) and to
the checks before every dose (settings.PATHWAYS_DOSE_CONDITIONS).

measures sits above treatment and dosing in the layers, so it plugs its conditions in
here; the gate itself never imports measures.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from common.timefmt import local_day, local_day_hm
from dosing.models import DosingRecord
from measures.alerts.safety import gate_descriptions
from measures.queries import latest_phq9_at
from treatment.gate import Check, Gate


def safety_alerts_condition(gate: Gate) -> Check:
    """No unacknowledged safety alert (e.g. PHQ-9 item 9) for the client."""
    alerts = gate_descriptions(gate.client)
    detail = "; ".join(alerts) if alerts else "No unacknowledged safety alerts."
    return Check("safety", "No unacknowledged safety alert", not alerts, detail)


def recent_phq9_condition(record: DosingRecord) -> Check:
    """A PHQ-9 answered within DOSING_PHQ9_MAX_AGE_HOURS before this dose."""
    hours = int(settings.DOSING_PHQ9_MAX_AGE_HOURS)
    label = f"A PHQ-9 answered within the last {hours} hours"
    answered = latest_phq9_at(record.session.course.client_id)
    if answered is None:
        return Check("phq9", label, False, "No PHQ-9 on record: send one before dosing.")
    if timezone.now() - answered > dt.timedelta(hours=hours):
        day = local_day(answered)
        return Check(
            "phq9", label, False, f"The last PHQ-9 was answered on {day}: send a new one."
        )
    return Check("phq9", label, True, f"Answered {local_day_hm(answered)}.")
