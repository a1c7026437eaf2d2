"""`escaped` and `shown` take a shorter way for plain text and numbers (issue 14): the
same text as Django's `conditional_escape` and `{{ value }}`, for any value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.forms.models import ModelChoiceIteratorValue
from django.template import Context, Template
from django.test import SimpleTestCase
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from common.template_widgets import escaped, shown

TEXT = st.text(alphabet=st.sampled_from("ab <>&\"'é\u00a0\n%_\\{}"), max_size=12) | st.text(
    max_size=12
)
VALUES: st.SearchStrategy[Any] = st.one_of(
    TEXT,
    st.integers(min_value=-(2**70), max_value=2**70),
    TEXT.map(mark_safe),
    TEXT.map(lambda t: ModelChoiceIteratorValue(t, None)),  # type: ignore[arg-type]  # no instance: as LabelsOnly gives it
    st.integers().map(lambda n: ModelChoiceIteratorValue(n, None)),  # type: ignore[arg-type]
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
)
TEMPLATE = Template("{{ value }}")


class EscapedTests(SimpleTestCase):
    @given(value=VALUES)
    def test_it_escapes_as_conditional_escape(self, value: Any) -> None:
        self.assertEqual(escaped(value), str(conditional_escape(value)))

    @given(value=VALUES)
    def test_it_shows_as_the_template_does(self, value: Any) -> None:
        self.assertEqual(shown(value), TEMPLATE.render(Context({"value": value})))

    def test_it_escapes_every_special_character_and_leaves_safe_text(self) -> None:
        self.assertEqual(
            escaped("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;",
        )
        self.assertEqual(escaped(mark_safe("<b>")), "<b>")
        self.assertEqual(escaped(gettext_lazy("<none>")), "&lt;none&gt;")
        self.assertEqual(shown("<b> & é"), "&lt;b&gt; &amp; é")
        self.assertEqual(
            shown(dt.date(2026, 12, 4)), TEMPLATE.render(Context({"value": dt.date(2026, 12, 4)}))
        )
        self.assertEqual(shown(Decimal("1.50")), "1.50")
