"""The emergency-access setting, checked once at start-up (`ClientsConfig.ready`).

- BREAK_GLASS_MINUTES: 1–720. A window long enough to deal with a crisis (an hour
  by default) and never longer than a night's on-call shift (12 hours): after that a
  new grant, with its own reason and its own e-mail to the admins, is needed.
"""

from __future__ import annotations

from typing import Any

from common.bounds import Bounds, check_bounds

BOUNDS: dict[str, Bounds] = {
    "BREAK_GLASS_MINUTES": Bounds(1, 720, "minutes of emergency access"),
}


def validate_settings(settings: Any) -> None:
    """Raise ImproperlyConfigured when BREAK_GLASS_MINUTES is outside its range."""
    check_bounds(settings, BOUNDS)
