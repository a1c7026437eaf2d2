"""A select's options written in Python (templates/django/forms/widgets/select.html).

Django renders each option of a select through two templates (the option and its
attributes): 0.12 ms an option here. The calendar's filters offer 126 rooms and every
clinician, and that alone was 33 of the week view's 81 ms at 10,000 clients (issue 14).
This writes the same markup (`<option value="…" selected>label</option>`, in its
optgroups) with the same escaping, and shows a label as a template would (a date in
the practice's zone and format, a number localised); an option whose widget names
another template is still rendered through it. A project override of Django's
`select_option.html` or `attrs.html` would not be used by a select: change this file.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import template
from django.conf import settings
from django.forms.models import ModelChoiceIteratorValue
from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs

register = template.Library()

OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


# What `conditional_escape` does to these is `html.escape(str(value))` (no `__html__`,
# not lazy): done directly, since a select of 126 clinicians and 126 rooms escapes a
# thousand values, and Django's lazy-aware wrapper costs more than the escaping.
_PLAIN = frozenset({str, int, ModelChoiceIteratorValue})


def escaped(value: Any) -> str:
    """`conditional_escape(value)`, as text."""
    if type(value) in _PLAIN:
        return html.escape(str(value))
    return str(conditional_escape(value))


def attributes(attrs: Mapping[str, Any]) -> str:
    """As django/forms/widgets/attrs.html: `True` stands alone, `False` is left out."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {escaped(name)}")
        else:
            out.append(f' {escaped(name)}="{escaped(value)}"')
    return "".join(out)


def shown(value: Any) -> str:
    """As `{{ value }}` shows it (django.template.base.render_value_in_context): a
    value that is not text becomes text before it is escaped, so an object with an
    `__html__` of its own is escaped as its `str`, as the template does."""
    if type(value) is str:
        return html.escape(value)  # neither localised nor a time: as below, sooner
    value = localize(template_localtime(value))
    if not issubclass(type(value), str):
        value = str(value)
    return str(conditional_escape(value))


def option(widget: Mapping[str, Any]) -> str:
    """One option, ending as Django's template file does (with a newline)."""
    if widget.get("template_name", OPTION_TEMPLATE) != OPTION_TEMPLATE:
        return str(render_to_string(widget["template_name"], {"widget": widget}))
    return (
        f'<option value="{escaped(widget["value"])}"'
        f"{attributes(widget['attrs'])}>{shown(widget['label'])}</option>\n"
    )


@register.simple_tag
def select_options(
    optgroups: Iterable[tuple[Any, Sequence[Mapping[str, Any]], int]],
) -> SafeString:
    out = []
    for group_name, group_choices, _index in optgroups:
        if group_name:
            out.append(f'\n  <optgroup label="{shown(group_name)}">')
        out.extend(f"\n  {option(choice)}" for choice in group_choices)
        if group_name:
            out.append("\n  </optgroup>")
    # Every value and label above was escaped as it was written in.
    return mark_safe("".join(out))  # noqa: S308


# What Django's `{% csrf_token %}` writes for a token (defaulttags.CsrfTokenNode); it
# writes nothing for none, nor for the stand-in of a response that needs no token.
NO_TOKEN = "NOTPROVIDED"  # noqa: S105  (Django's marker, not a secret)


def csrf_input(csrf_token: Any) -> str:
    """The hidden input `{% csrf_token %}` writes for `csrf_token` (the context's)."""
    if csrf_token and csrf_token != NO_TOKEN:
        return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escaped(csrf_token)}">'
    if not csrf_token and settings.DEBUG:
        # As Django's node warns: a form without its token will be refused.
        warnings.warn(
            "A {% csrf_token %} was used in a template, but the context did not provide "
            "the value.  This is usually caused by not using RequestContext.",
            stacklevel=2,
        )
    return ""
