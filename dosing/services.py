"""The dosing app's write API: the views and other apps call these names here.

Audited writes on the dosing session record, each in one transaction; each takes
who acts (an `accounts.actor.Actor`) and typed values, never a request or a form.
The rules (dosing.rules) are checked in the writes, not in the forms, so that a
crafted POST or a direct call meets them too, and checked again under the record's
row lock and the prescription chain's, so that two requests cannot race past them:
every dose and booster re-runs the whole readiness gate against the current state,
under the prescription version in force at that moment; discharge needs every
criterion met, or a clinician's reason (an early discharge, which notifies the
prescriber).

The writes live by concern: opening (`dosing.opening`), before the dose
(`dosing.predose`), vitals and adverse events (`dosing.observation`), the dose and
the booster (`dosing.administration`), discharge (`dosing.discharge`) and the
session note (`dosing.notes`).
"""

from __future__ import annotations

from dosing.administration import administration_add
from dosing.base import DosingError
from dosing.discharge import DischargeTicks, record_discharge
from dosing.notes import addendum_add, note_save, note_sign
from dosing.observation import (
    AdverseEventReport,
    VitalsReading,
    adverse_event_add,
    allowed_phases,
    vitals_add,
)
from dosing.opening import record_open
from dosing.predose import PredoseChecks, predose_save, prescriber_contact_add, risk_check_save
from dosing.rules import (
    DISCHARGE_CRITERIA,
    discharge_vitals_check,
    dose_given,
    dosing_clearance,
    is_discharged,
    latest_predose,
    predose_missing,
)

__all__ = [
    "DISCHARGE_CRITERIA",
    "AdverseEventReport",
    "DischargeTicks",
    "DosingError",
    "PredoseChecks",
    "VitalsReading",
    "addendum_add",
    "administration_add",
    "adverse_event_add",
    "allowed_phases",
    "discharge_vitals_check",
    "dose_given",
    "dosing_clearance",
    "is_discharged",
    "latest_predose",
    "note_save",
    "note_sign",
    "predose_missing",
    "predose_save",
    "prescriber_contact_add",
    "record_discharge",
    "record_open",
    "risk_check_save",
    "vitals_add",
]
