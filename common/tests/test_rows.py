"""A table's rows from a format string (common/rows.py): each value written as
`{{ value }}` writes it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.db import models
from django.template import Context, Template
from django.test import SimpleTestCase, override_settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st

from common.rows import day, label, rows, value

VALUES = st.one_of(
    st.integers(),
    st.booleans(),
    st.none(),
    st.text(),
    st.text().map(mark_safe),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.dates(),
    # Naive bounds, as hypothesis wants them; the values are aware (UTC) or naive.
    st.datetimes(min_value=dt.datetime(1900, 1, 1), timezones=st.sampled_from([dt.UTC, None])),  # noqa: DTZ001
    st.just(gettext_lazy("Week")),
    st.builds(lambda text: WithHtml(text), st.text()),
)


class WithHtml:
    """Not text, with markup of its own: the template writes its str, escaped."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return f"<i>{self.text}</i>"

    def __html__(self) -> str:
        return "<b>raw</b>"


def as_template_writes(item: Any) -> str:
    return Template("{{ item }}").render(Context({"item": item}))


@override_settings(TIME_ZONE="America/New_York")
class RowsTests(SimpleTestCase):
    @settings(max_examples=400, deadline=None)
    @given(item=VALUES)
    def test_it_writes_a_value_as_the_template_does(self, item: Any) -> None:
        assert value(item) == as_template_writes(item)

    def test_it_writes_each_row_into_the_markup(self) -> None:
        written = rows(
            '<tr><td><a href="{url}">{name}</a></td><td>{n}</td></tr>',
            [
                {"url": "/a/?x=1&y=2", "name": 'Dana "D" <Scully>', "n": 3},
                {"url": "/b/", "name": mark_safe("<b>safe</b>"), "n": Decimal("1.50")},
            ],
        )

        assert written == (
            '<tr><td><a href="/a/?x=1&amp;y=2">Dana &quot;D&quot; &lt;Scully&gt;</a></td>'
            "<td>3</td></tr>"
            '<tr><td><a href="/b/"><b>safe</b></a></td><td>1.50</td></tr>'
        )

    def test_it_writes_nothing_for_no_rows(self) -> None:
        assert rows("<tr>{x}</tr>", []) == ""

    def test_it_writes_the_practices_day(self) -> None:
        # 02:30 UTC is the evening before in Virginia.
        assert day(dt.datetime(2026, 12, 3, 2, 30, tzinfo=dt.UTC)) == "2026-12-02"
        assert day(dt.date(2026, 12, 3)) == "2026-12-03"
        assert day(None) == ""


class LabelTests(SimpleTestCase):
    """`label(obj, name)` is `obj.get_<name>_display()` for every field with choices of
    every model of the project, on each of its values, a value of none of them and None."""

    def test_it_gives_what_get_display_gives_on_every_field_with_choices(self) -> None:
        checked = 0
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not field.choices:
                    continue
                values = [v for v, _ in field.flatchoices] + ["not-a-choice", None, 7]
                for choice in values:
                    instance = model()
                    setattr(instance, field.attname, choice)
                    display = getattr(instance, f"get_{field.name}_display")()
                    assert label(instance, field.name) == display, (model, field.name, choice)
                    checked += 1
        assert checked > 100  # the project's statuses, types, reasons…

    def test_it_asks_a_field_of_computed_choices_each_time(self) -> None:
        options = [("a", "First")]
        field = models.CharField(choices=lambda: options, max_length=4)
        field.set_attributes_from_name("kind")
        instance: Any = SimpleNamespace(_meta=SimpleNamespace(get_field=lambda _: field), kind="a")
        assert label(instance, "kind") == "First"
        options[0] = ("a", "Changed")
        assert label(instance, "kind") == "Changed"
