"""The emergency-access window is checked at start-up."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from clients.settings_check import validate_settings


def test_it_accepts_the_configured_window() -> None:
    validate_settings(SimpleNamespace(BREAK_GLASS_MINUTES=settings.BREAK_GLASS_MINUTES))


@pytest.mark.parametrize("value", [0, -5, 721, "60"])
def test_it_refuses_a_window_out_of_range(value: object) -> None:
    with pytest.raises(ImproperlyConfigured, match="BREAK_GLASS_MINUTES"):
        validate_settings(SimpleNamespace(BREAK_GLASS_MINUTES=value))
