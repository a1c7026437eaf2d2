"""Start-up checks for numeric settings: each app lists its settings and their ranges.

A threshold outside its valid range would score, gate or count wrongly (or fail on
every request), so it stops start-up with `ImproperlyConfigured` naming the
setting, its value and the valid range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Bounds:
    low: int
    high: int | None  # None: no upper bound
    what: str

    def describe(self) -> str:
        if self.high is None:
            return f"a whole number of at least {self.low} ({self.what})"
        return f"a whole number from {self.low} to {self.high} ({self.what})"


def _valid(value: Any, bounds: Bounds) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return value >= bounds.low and (bounds.high is None or value <= bounds.high)


def check_bounds(settings: Any, table: dict[str, Bounds]) -> None:
    """Raise ImproperlyConfigured for the first setting in `table` outside its range."""
    for name, bounds in table.items():
        value = getattr(settings, name, None)
        if not _valid(value, bounds):
            raise ImproperlyConfigured(
                f"{name} is {value!r}; it must be {bounds.describe()}. "
                f"Set it in the environment or pathways/settings.py."
            )
