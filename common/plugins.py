"""Plug-in points: ordered lists of dotted paths in settings, loaded once.

In the spirit of MIDDLEWARE: an app that adds a panel to the client page (paired
with the chart's tab it goes on), a fact to the chart's header, a panel to the
partner portal, entries to the client timeline or a condition to the dosing gate
names its function in the matching list in pathways/settings.py. The
page shows them in the list's order; a test changes them with override_settings.
Nothing registers itself by being imported, so a lower app never imports the apps
that build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def plugins(setting: str) -> list[Callable[..., Any]]:
    """The functions named by `settings.<setting>`, imported once per distinct list."""
    return _load(tuple(getattr(settings, setting)))


def plugin(setting: str) -> Callable[..., Any]:
    """The one function named by `settings.<setting>` (a single dotted path)."""
    return _load((getattr(settings, setting),))[0]


def tabbed_plugins(setting: str, *, default: str) -> list[tuple[str, Callable[..., Any]]]:
    """The functions named by `settings.<setting>`, a list of (group, dotted path)
    pairs (the client chart's tab and its panel), each with its group; a bare dotted
    path is in the group `default`."""
    entries = [
        (default, entry) if isinstance(entry, str) else (str(entry[0]), str(entry[1]))
        for entry in getattr(settings, setting)
    ]
    loaded = _load(tuple(path for _, path in entries))
    return [(group, f) for (group, _), f in zip(entries, loaded, strict=True)]


@cache
def _load(paths: tuple[str, ...]) -> list[Callable[..., Any]]:
    return [import_string(path) for path in paths]
