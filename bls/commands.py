"""The values of a control command (`start`, `settings`), checked on the server before
they reach the display (bls-protocol.md): speed 0.5–2.0 passes per second, a set of
1–200 passes or 1–600 seconds, colours #rrggbb, a dot of 16–160 px. Nothing on the
display flashes: the fastest it moves is 2 passes a second, under the 3 Hz limit for
photosensitivity (WCAG 2.3.1)."""

from __future__ import annotations

import re
from typing import Any

MODES = ("eyes", "auditory", "both")
DIRECTIONS = ("horizontal", "diagonal")
SPEED_MIN, SPEED_MAX = 0.5, 2.0
PASSES_MAX = 200
SECONDS_MAX = 600
SIZE_MIN, SIZE_MAX = 16, 160
DEFAULTS: dict[str, Any] = {
    "mode": "eyes",
    "speed": 1.0,
    "passes": 24,
    "seconds": None,
    "direction": "horizontal",
    "colour": "#1f6feb",
    "size": 48,
    "background": "#000000",
}
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class CommandError(ValueError):
    """A command the display must not run; the message is for the therapist."""


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(key: str, value: object) -> object:
    if key == "mode" and value in MODES:
        return value
    if key == "direction" and value in DIRECTIONS:
        return value
    if key == "speed" and isinstance(value, int | float) and not isinstance(value, bool):
        speed = round(float(value), 1)
        if SPEED_MIN <= speed <= SPEED_MAX:
            return speed
        raise CommandError(f"Speed is from {SPEED_MIN} to {SPEED_MAX} passes a second.")
    if key == "passes" and (value is None or (_int(value) and 1 <= value <= PASSES_MAX)):  # type: ignore[operator]
        return value
    if key == "seconds" and (value is None or (_int(value) and 1 <= value <= SECONDS_MAX)):  # type: ignore[operator]
        return value
    if key in ("colour", "background") and isinstance(value, str) and _COLOUR.fullmatch(value):
        return value.lower()
    if key == "size" and _int(value) and SIZE_MIN <= value <= SIZE_MAX:  # type: ignore[operator]
        return value
    raise CommandError(_MESSAGES[key])


_MESSAGES = {
    "mode": "Mode is eyes, auditory or both.",
    "direction": "Direction is horizontal or diagonal.",
    "speed": f"Speed is from {SPEED_MIN} to {SPEED_MAX} passes a second.",
    "passes": f"A set is from 1 to {PASSES_MAX} passes.",
    "seconds": f"A set is from 1 to {SECONDS_MAX} seconds.",
    "colour": "The dot's colour is #rrggbb.",
    "background": "The background is #rrggbb.",
    "size": f"The dot is from {SIZE_MIN} to {SIZE_MAX} px.",
}


def values(content: dict[str, Any], *, start: bool) -> dict[str, Any]:
    """The command's settings, checked: for `start` every key (missing ones take their
    defaults) with exactly one of passes and seconds; for `settings` the keys sent."""
    given = {key: content[key] for key in DEFAULTS if key in content}
    if start:
        if "passes" not in given and given.get("seconds") is not None:
            given["passes"] = None
        given = {**DEFAULTS, **given}
    checked = {key: _check(key, value) for key, value in given.items()}
    if start and (checked["passes"] is None) == (checked["seconds"] is None):
        raise CommandError("A set runs for a number of passes or of seconds: give one.")
    if not start and checked.get("passes") is not None and checked.get("seconds") is not None:
        raise CommandError("A set runs for a number of passes or of seconds: give one.")
    if not start and not checked:
        raise CommandError("Nothing to change.")
    return checked
