"""WCAG AA colour contrast for the site's palette, read from the stylesheet itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = Path(settings.BASE_DIR, "static", "css", "site.css").read_text()

# (foreground, background, minimum ratio): 4.5:1 for text, 3:1 for focus rings
# and input borders (WCAG 2.1 SC 1.4.3 and 1.4.11).
PAIRS = [
    ("--text", "--bg", 4.5),
    ("--text", "--surface", 4.5),
    ("--muted", "--bg", 4.5),
    ("--muted", "--surface", 4.5),
    ("--primary", "--bg", 4.5),
    ("--primary", "--surface", 4.5),
    ("--primary-dark", "--bg", 4.5),
    ("--on-primary", "--primary", 4.5),
    ("--on-primary", "--primary-dark", 4.5),
    ("--crisis-text", "--crisis-bg", 4.5),
    ("--error", "--bg", 4.5),
    ("--error", "--error-bg", 4.5),
    ("--text", "--error-bg", 4.5),
    ("--success", "--surface", 4.5),
    ("--text", "--stripe", 4.5),
    ("--muted", "--stripe", 4.5),
    ("--primary", "--stripe", 4.5),
    ("--on-primary", "--error", 4.5),
    ("--on-primary", "--error-dark", 4.5),
    ("--badge-done", "--badge-done-bg", 4.5),
    ("--badge-active", "--badge-active-bg", 4.5),
    ("--badge-waiting", "--badge-waiting-bg", 4.5),
    ("--badge-stopped", "--badge-stopped-bg", 4.5),
    ("--badge-alert", "--badge-alert-bg", 4.5),
    ("--focus", "--bg", 3.0),
    ("--focus", "--surface", 3.0),
    ("--border", "--bg", 3.0),
]


def _palette() -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", CSS))


def _luminance(hex_colour: str) -> float:
    # Relative luminance, as WCAG 2.1 defines it.
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_it_computes_contrast_like_wcag() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(("fg", "bg", "minimum"), PAIRS)
def test_it_meets_wcag_aa_contrast(fg: str, bg: str, minimum: float) -> None:
    palette = _palette()
    ratio = contrast(palette[fg], palette[bg])
    assert ratio >= minimum, f"{fg} on {bg}: {ratio:.2f}:1 < {minimum}:1"


def test_it_uses_only_palette_colours_for_text() -> None:
    # A hard-coded colour in a rule would escape the checks above.
    rules = CSS.split("}", 1)[1]  # everything after :root
    assert re.findall(r"(?<![-\w])color:\s*#", rules) == []
