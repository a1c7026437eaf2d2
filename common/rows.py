"""The rows of a long table written from a format string (issue 14).

A template's `{% for %}` costs about 400 bytecodes for each `{{ value }}` it writes
(Django resolves, localises and escapes each one through five calls), and a `{% url %}`
twice that. At 10,000 clients a page of the outcomes report writes 200 rows of a dozen
values, and that was 87% of its work; the audit report's and the client list's rows
were half of theirs. For such a list the row's markup is one format string beside the
view (`str.format_map` fields, `{name}`), and the view gives each row's values: `rows`
writes each value as `{{ value }}` would (`shown`: the practice's local time, a number
localised, escaped unless already safe) into the string. The markup of the page
around the rows stays in its template, which writes the rows with `{{ rows }}`.

Write a value that needs more than that (a date format, a choice's label, a link)
with the helper that says so (`day`, `reverse_numbered`…) before it goes in; a value
already safe (`SafeString`, from a helper that escaped it) goes in as it is. A row's
string holds only markup: no text from a person.

Part of the shared library (issue 9): it imports no app.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.safestring import SafeString, mark_safe

from common.template_dates import date as date_filter
from common.template_widgets import shown


def value(item: Any) -> str:
    """`item` as `{{ item }}` writes it."""
    kind = type(item)
    if kind is int:  # as localize writes it: the project sets no thousands separator
        return str(item)
    if kind is str:  # plain text, not a SafeString: escaped as Django's escape does
        return html.escape(item)
    if kind is SafeString:  # markup already escaped (a badge, a link): as it is
        return item  # type: ignore[no-any-return]
    return shown(item)


def rows(markup: str, items: Iterable[Mapping[str, Any]]) -> SafeString:
    """Each of `items` (field name to value) written into `markup`, joined."""
    out = [markup.format_map({k: value(v) for k, v in item.items()}) for item in items]
    # Every value was escaped as it went in (`value`), and the markup is the code's.
    return mark_safe("".join(out))  # noqa: S308


def day(at: Any) -> str:
    """`{{ at|date:"Y-m-d" }}`: the practice's day of a time, or of a date."""
    return str(date_filter(at, "Y-m-d"))


def label(instance: models.Model, name: str) -> str:
    """`instance.get_<name>_display()`, the field's choices read once per process.

    Django's method makes a dict of the field's choices at every call (some 250
    bytecodes; a list's status or type on every row, issue 14). The same answer: the
    label of the value, or the value itself when it is none of the choices. A field
    whose choices are computed (a callable) is asked each time, as Django does."""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)  # type: ignore[union-attr]
    labels = _labels(field) if isinstance(field.choices, list | tuple) else None  # type: ignore[union-attr]
    if labels is None:
        labels = dict(make_hashable(field.flatchoices))  # type: ignore[union-attr]
    return force_str(labels.get(make_hashable(value), value), strings_only=True)  # type: ignore[no-any-return]


@cache
def _labels(field: Any) -> dict[Any, Any]:
    return dict(make_hashable(field.flatchoices))
