"""Plug-in points: ordered lists of dotted paths in settings, loaded once.

In the spirit of MIDDLEWARE: an app that adds a panel to the client page, a panel
to the partner portal, entries to the client timeline or a condition to the
dosing gate names its function in the matching list in pathways/settings.py. The
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


@cache
def _load(paths: tuple[str, ...]) -> list[Callable[..., Any]]:
    return [import_string(path) for path in paths]
