"""`intake.models.without_accents` and `name_key`: a name with its accents, case and
spacing aside, the same whichever path computes it."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from intake.models import name_key, without_accents


def decomposed_without_marks(text: str) -> str:
    """The whole rule, with no shortcut for ASCII."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def test_it_takes_the_accents_off() -> None:
    assert without_accents("Zoë Núñez") == "Zoe Nunez"
    assert name_key("Zoë ", " O'Brien") == "zoe o'brien"


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_it_leaves_ascii_as_the_whole_rule_does(text: str) -> None:
    assert without_accents(text) == decomposed_without_marks(text)


@given(st.text())
def test_it_agrees_with_the_whole_rule_on_any_text(text: str) -> None:
    assert without_accents(text) == decomposed_without_marks(text)
