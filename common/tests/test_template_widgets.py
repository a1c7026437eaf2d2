"""A select's options are written in Python (common/template_widgets.py, issue 14): the
markup is Django's own, option for option, and much quicker to make."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test import SimpleTestCase
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from common.template_widgets import select_options

CHOICES = [
    ("", "—"),
    ("a", "Plain"),
    ("b&c", 'Quotes " and <tags> & ampersands'),
    ("Rooms", [("1", "Garden room"), ("2", "Room <2>")]),
    (3, "A number"),
    ("d", dt.date(2026, 12, 2)),
    ("t", dt.datetime(2026, 12, 2, 15, 30, tzinfo=dt.UTC)),
    ("n", Decimal("1234.5")),
    ("s", SafeString("<b>already safe</b>")),
    ("l", gettext_lazy("Lazy label")),
    (None, "No value"),
]


class SelectOptionsTestCase(SimpleTestCase):
    def assert_as_django(self, widget: forms.Widget, value: object) -> None:
        # Django's renderer reads only its own templates; ours reads the project's first.
        with self.assertTemplateNotUsed("django/forms/widgets/select_option.html"):
            ours = widget.render("room", value, attrs={"id": "id_room", "data-x": None})
        django = widget.render(
            "room", value, attrs={"id": "id_room", "data-x": None}, renderer=DjangoTemplates()
        )

        assert isinstance(get_default_renderer(), DjangoTemplates) is False
        assert ours == django

    def test_it_writes_a_select_as_django_does(self) -> None:
        self.assert_as_django(forms.Select(choices=CHOICES), "b&c")

    def test_it_writes_a_choice_in_a_group_as_django_does(self) -> None:
        self.assert_as_django(forms.Select(choices=CHOICES), "2")

    def test_it_writes_a_multiple_select_as_django_does(self) -> None:
        self.assert_as_django(forms.SelectMultiple(choices=CHOICES), ["a", "1", 3])

    def test_it_writes_option_attributes_as_django_does(self) -> None:
        class Flagged(forms.Select):
            def create_option(self, *args: object, **kwargs: object) -> dict[str, object]:
                option = super().create_option(*args, **kwargs)  # type: ignore[arg-type]
                option["attrs"]["data-note"] = f"<{option['value']}>"
                option["attrs"]["disabled"] = option["value"] == "a"
                return option

        self.assert_as_django(Flagged(choices=CHOICES), "")

    def test_it_renders_an_option_of_another_template_through_it(self) -> None:
        hidden: dict[str, Any] = {
            "template_name": "django/forms/widgets/input.html",
            "name": "x",
            "type": "hidden",
            "value": "7",
            "attrs": {},
        }
        optgroups = [(None, [hidden], 0)]

        html = select_options(optgroups)

        assert html.strip() == '<input type="hidden" name="x" value="7">'
