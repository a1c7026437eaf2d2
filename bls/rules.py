"""What the EMDR record may hold, checked by the services before every write (the
forms show the same rules; the database checks the ranges too):

- SUD 0–10 and VOC 1–7 (clinical-reference.md, "EMDR session data");
- a closure called complete needs a body scan, a low SUD and a high VOC at the end;
  otherwise the session is closed as incomplete, with the clinician's reason.

Each check answers {field name: message}, the message shown beside that field.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

from bls.models import (
    SUD_MAX,
    SUD_MIN,
    SUD_RANGE_MESSAGE,
    VOC_MAX,
    VOC_MIN,
    VOC_RANGE_MESSAGE,
    EmdrRecord,
)

SUD_FIELDS = ("sud_start", "sud", "sud_end")
VOC_FIELDS = ("voc_start", "installation_voc", "voc_end")
SUD_NOT_A_NUMBER = f"Enter a whole number from {SUD_MIN} to {SUD_MAX}."
VOC_NOT_A_NUMBER = f"Enter a whole number from {VOC_MIN} to {VOC_MAX}."

# Shapiro's standard protocol desensitises toward SUD 0, installs toward VOC 7, then
# scans the body; closure is complete or incomplete (clinical-reference.md, "EMDR
# session data", "Ending the session"). Issue 8 §7 counts a session as complete
# at SUD ≤ 1 and VOC ≥ 6 with a body scan written; anything short of that is
# closed as incomplete with a reason. Thresholds are settings (DEVELOPERS.md):
# EMDR_COMPLETE_SUD_AT_MOST and EMDR_COMPLETE_VOC_AT_LEAST override these defaults.
COMPLETE_SUD_AT_MOST = 1
COMPLETE_VOC_AT_LEAST = 6


def complete_thresholds() -> tuple[int, int]:
    """(highest SUD at end, lowest VOC at end) that a complete closure allows."""
    sud = getattr(settings, "EMDR_COMPLETE_SUD_AT_MOST", COMPLETE_SUD_AT_MOST)
    voc = getattr(settings, "EMDR_COMPLETE_VOC_AT_LEAST", COMPLETE_VOC_AT_LEAST)
    return int(sud), int(voc)


def closure_rule() -> str:
    """The rule in words, shown beside the closure field."""
    sud, voc = complete_thresholds()
    return (
        f"Complete needs a body scan written, SUD at end {sud} or less and VOC at end "
        f"{voc} or more (the protocol desensitises toward SUD 0 and installs toward VOC 7). "
        "Otherwise choose Incomplete and give the reason."
    )


def _score_error(value: object, low: int, high: int, out_of_range: str, invalid: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int):
        return invalid
    return "" if low <= value <= high else out_of_range


def score_errors(*, values: Mapping[str, object]) -> dict[str, str]:
    """Every SUD and VOC among `values` (field name → value; None is "not recorded")
    that is not a whole number in its range."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        if name in SUD_FIELDS:
            error = _score_error(value, SUD_MIN, SUD_MAX, SUD_RANGE_MESSAGE, SUD_NOT_A_NUMBER)
        elif name in VOC_FIELDS:
            error = _score_error(value, VOC_MIN, VOC_MAX, VOC_RANGE_MESSAGE, VOC_NOT_A_NUMBER)
        else:
            continue
        if error:
            errors[name] = error
    return errors


def closing_errors(
    *,
    closure: str,
    body_scan: str,
    sud_end: int | None,
    voc_end: int | None,
    closure_reason: str,
) -> dict[str, str]:
    """Why this closing may not be saved as it stands (the values after the write)."""
    complete, incomplete = EmdrRecord.Closure.COMPLETE, EmdrRecord.Closure.INCOMPLETE
    if closure not in ("", complete, incomplete):
        return {"closure": "Choose Complete or Incomplete."}
    errors: dict[str, str] = {}
    if closure == incomplete and not closure_reason.strip():
        errors["closure_reason"] = "Give the reason the session is incomplete."
    if closure != complete:
        return errors
    sud_most, voc_least = complete_thresholds()
    if not body_scan.strip():
        errors["body_scan"] = "A complete closure needs the body scan written."
    if sud_end is None or sud_end > sud_most:
        errors["sud_end"] = f"A complete closure needs SUD at end {sud_most} or less."
    if voc_end is None or voc_end < voc_least:
        errors["voc_end"] = f"A complete closure needs VOC at end {voc_least} or more."
    if errors:
        errors["closure"] = (
            "Not complete: see the fields marked. If the session ends here, "
            "choose Incomplete and give the reason."
        )
    if closure_reason.strip():
        # Not cleared silently: what was typed is the clinician's to remove.
        errors["closure_reason"] = (
            "Leave this empty for a complete closure: the reason is for an incomplete one."
        )
    return errors
