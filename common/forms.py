from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any, TypeVar

from django.forms.renderers import TemplatesSetting

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


def values_of(cls: type[T], cleaned: Mapping[str, Any]) -> T:
    """A service's value type (a dataclass) filled from a form's cleaned data: each of
    its fields from the value of the same name. The form parses; the service checks."""
    return cls(**{f.name: cleaned[f.name] for f in fields(cls)})  # type: ignore[arg-type]  # T is a dataclass
