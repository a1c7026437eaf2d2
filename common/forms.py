from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import fields
from typing import Any, TypeVar

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.forms import BaseForm, ModelChoiceField
from django.forms.renderers import TemplatesSetting
from django.utils import timezone
from django.utils.choices import CallableChoiceIterator
from django.utils.safestring import SafeString

from common.template_widgets import attributes, escaped, select_options, shown

T = TypeVar("T")


class PathwaysFormRenderer(TemplatesSetting):
    """Draw every form field through the project's field template (settings.FORM_RENDERER).

    `{{ form.x.as_field_group }}` renders templates/includes/field_group.html: the
    label (a legend for radio and checkbox groups), the help text and the error, with
    the ids `<auto_id>_helptext` and `<auto_id>_error` the CSS and the tests rely on.
    Django sets aria-invalid on an invalid input and points its aria-describedby at
    those ids (a group's fieldset carries the aria-describedby instead).

    `{{ form }}` renders only the fields, in order: a page shows what is wrong with the
    form as a whole with templates/includes/form_errors.html, placed where it reads best.

    TemplatesSetting loads these from the project's TEMPLATES, so the widgets' own
    templates come from the "django.forms" app (INSTALLED_APPS).
    """

    form_template_name = "includes/form_fields.html"
    field_template_name = "includes/field_group.html"

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        """As the template would, in Python for the commonest: an `<input>`, a
        `<textarea>`, and a field's group around it (below)."""
        if request is None:
            if template_name in INPUT_TEMPLATES:
                return _input(context["widget"])
            if template_name == TEXTAREA_TEMPLATE:
                return _textarea(context["widget"])
            if template_name == SELECT_TEMPLATE:
                return _select(context["widget"])
            if template_name == self.field_template_name:
                written = _field_group(context["field"])
                if written is not None:
                    return written
        return str(super().render(template_name, context, request))


# Why in Python: every field of a page went through three templates (its group, its
# widget, the widget's attributes), 0.1-0.2 ms a field here; the EMDR record's 22
# fields were a quarter of its work at 10,000 clients (issue 14). This writes the same
# text as those templates, character for character, and leaves every other case to
# them (a radio or checkbox group, a checkbox, a select, another widget's template):
# common/tests/test_form_html.py renders every field of every form of the project both
# ways, and checks that the widget templates named here are still Django's
# `input.html` alone (an upgrade that changed them, or a project override, fails there).
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        *("checkbox", "color", "date", "datetime", "email", "file", "hidden"),
        *("number", "password", "search", "tel", "text", "time", "url"),
    )
)
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
# The project's own (templates/django/forms/widgets/select.html), its options already
# written in Python; a select of several (`multiple`) is the same template.
SELECT_TEMPLATE = "django/forms/widgets/select.html"


def _input(widget: Mapping[str, Any]) -> str:
    # django/forms/widgets/input.html
    value = widget["value"]
    shown_value = f' value="{escaped(value)}"' if value is not None else ""
    kind, name = escaped(widget["type"]), escaped(widget["name"])
    return f'<input type="{kind}" name="{name}"{shown_value}{attributes(widget["attrs"])}>'


def _textarea(widget: Mapping[str, Any]) -> str:
    # django/forms/widgets/textarea.html (its newline after the tag is the template's)
    value = shown(widget["value"]) if widget["value"] else ""
    name = escaped(widget["name"])
    return f'<textarea name="{name}"{attributes(widget["attrs"])}>\n{value}</textarea>'


def _select(widget: Mapping[str, Any]) -> str:
    # templates/django/forms/widgets/select.html
    name = escaped(widget["name"])
    options = select_options(widget["optgroups"])
    return f'<select name="{name}"{attributes(widget["attrs"])}>{options}\n</select>'


def _errors(field: Any) -> str:
    # `{{ field.errors|join:" " }}` in its paragraph
    joined = " ".join(escaped(error) for error in field.errors)
    return f'<p class="error" id="{escaped(field.auto_id)}_error">{joined}</p>'


def _field_group(field: Any) -> str | None:
    """templates/includes/field_group.html for a hidden field and a field with its
    label above (None for a radio or checkbox group or a checkbox: the template's)."""
    errors = _errors(field) if field.errors else ""
    if field.is_hidden:
        return f"{field}{errors}"
    if field.widget_type in ("radioselect", "checkboxselectmultiple", "checkbox"):
        return None
    auto_id = escaped(field.auto_id)
    required = ' <span class="req">(required)</span>' if field.field.required else ""
    helptext = (
        f'<p class="help" id="{auto_id}_helptext">{shown(field.help_text)}</p>'
        if field.help_text
        else ""
    )
    return (
        f'<div class="field{" has-error" if field.errors else ""}">\n  \n'
        f'  <label for="{escaped(field.id_for_label)}">{shown(field.label)}'
        f"{required}</label>\n  {helptext}\n  {errors}\n  {field}\n  \n</div>"
    )


def values_of(cls: type[T], cleaned: Mapping[str, Any]) -> T:
    """A service's value type (a dataclass) filled from a form's cleaned data: each of
    its fields from the value of the same name. The form parses; the service checks."""
    return cls(**{f.name: cleaned[f.name] for f in fields(cls)})  # type: ignore[arg-type]  # T is a dataclass


class KeptForm:
    """A blank form's fields as `{{ form }}` writes them (`str`), with no errors: what a
    template reads of a blank form (`form.errors`, `{{ form }}`)."""

    errors = None

    def __init__(self, html: SafeString) -> None:
        self.html = html

    def __str__(self) -> str:
        return self.html

    def __html__(self) -> str:
        return self.html


# (form class, prefix) → its blank fields, written once per process (emptied when a
# setting changes, as a test's override does: the markup may read the settings).
# A form's widgets may carry the day (common.dates.bound_date's min and max): kept per day.
_BLANK: dict[tuple[type[BaseForm], str | None, str, dt.date], SafeString] = {}


def blank_form(
    form_class: type[BaseForm], *, prefix: str | None = None, auto_id: str = "id_%s"
) -> KeptForm | BaseForm:
    """`form_class(prefix=prefix)`, its fields written once per process: the same text
    for everyone while nothing in them is computed when the form is made. Why: the
    client chart writes three blank forms (a diagnosis, a medication, an allergy), a
    tenth of its work at 10,000 clients (issue 14). A form whose blank fields could
    differ (an initial value computed when made, choices read from the database) is
    made and written each time, as before. `auto_id`: as the form's (Django's default).
    Kept per day: a date field's widget carries the day's plausible range."""
    key = (form_class, prefix, auto_id, timezone.localdate())
    kept = _BLANK.get(key)
    if kept is not None:
        return KeptForm(kept)
    form = form_class(prefix=prefix, auto_id=auto_id)
    if not _fixed(form):
        return form
    if len(_BLANK) > 256:  # yesterday's forms: a few dozen a day at most
        _BLANK.clear()
    _BLANK[key] = html = SafeString(form.render())
    return KeptForm(html)


def _fixed(form: BaseForm) -> bool:
    """Whether every field's blank markup is the same each time the form is made."""
    for name, field in form.fields.items():
        if callable(field.initial):
            return False
        choices = getattr(field, "choices", None)
        if isinstance(field, ModelChoiceField) or isinstance(choices, CallableChoiceIterator):
            return False
        if form.initial.get(name) is not None:
            return False
    return True


@receiver(setting_changed)
def _forget_blank_forms(**_: Any) -> None:
    _BLANK.clear()
