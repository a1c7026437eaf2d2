"""Every form field is drawn by the project's field template (common.forms.PathwaysFormRenderer,
or its Python for the commonest fields, which writes the same text):
the error beside the field with the id the pages and tests use, aria-invalid on the input and
aria-describedby naming the error (on the fieldset of a radio or checkbox group)."""

from __future__ import annotations

import re
from importlib import import_module
from pathlib import Path
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.forms.renderers import TemplatesSetting, get_default_renderer
from django.forms.utils import ErrorDict
from django.test import TestCase

from common.forms import PathwaysFormRenderer

GROUP_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def project_form_classes() -> list[type[forms.BaseForm]]:
    """The form classes of the project's apps that the site's pages can reach."""
    import_module(settings.ROOT_URLCONF)  # imports every view, and so every form
    base = Path(settings.BASE_DIR).resolve()
    # The project's apps sit at the top of the repository (not in the virtualenv).
    labels = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base
    }
    found: set[type[forms.BaseForm]] = set()
    todo = [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            module = sub.__module__
            if (
                module.split(".")[0] in labels
                and ".tests" not in module
                and getattr(sub, "base_fields", None)
            ):
                found.add(sub)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def invalid_form(cls: type[forms.BaseForm]) -> forms.BaseForm:
    """A bound form of this class with an error on every field, built without the class's
    own __init__ (which may want a client, a prescription, a request...)."""
    form = cls.__new__(cls)
    forms.BaseForm.__init__(form, data={})
    form.cleaned_data = {}
    form._errors = ErrorDict(renderer=form.renderer)  # type: ignore[attr-defined]  # private
    for name in form.fields:
        form.add_error(name, "Check this answer.")
    return form


class TemplatesOnly(PathwaysFormRenderer):
    """The project's renderer with every field, widget and group through its template."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        return str(TemplatesSetting.render(self, template_name, context, request))


def through_templates(form: forms.BaseForm, name: str) -> str:
    """`{{ form.<name>.as_field_group }}` drawn by the templates alone."""
    mine = form.renderer
    form.renderer = TemplatesOnly()  # the widget is drawn with the form's renderer
    try:
        bound = forms.BoundField(form, form.fields[name], name)
        return str(bound.render(renderer=form.renderer))
    finally:
        form.renderer = mine


class FormRendererTests(TestCase):
    def test_it_renders_forms_with_the_project_renderer(self) -> None:
        self.assertIsInstance(get_default_renderer(), PathwaysFormRenderer)

    def test_it_draws_every_field_of_every_form_through_the_project_template(self) -> None:
        classes = project_form_classes()
        self.assertGreater(len(classes), 30)  # the walk found the project's forms
        for cls in classes:
            form = invalid_form(cls)
            self.assertIsInstance(form.renderer, PathwaysFormRenderer, cls)
            for bound in form.visible_fields():
                with self.subTest(form=cls.__qualname__, field=bound.name):
                    html = bound.as_field_group()
                    # The same text as the template's (common.forms writes the commonest
                    # fields in Python: common/tests/test_form_html.py).
                    with self.assertTemplateUsed("includes/field_group.html"):
                        self.assertEqual(html, through_templates(form, bound.name))
                    error_id = f"{bound.auto_id}_error"
                    self.assertIn(f'<p class="error" id="{error_id}">Check this answer.</p>', html)
                    if re.search(r"<(input|select|textarea)\b", html):  # choices set in __init__
                        self.assertIn('aria-invalid="true"', html)
                    group = isinstance(bound.field.widget, GROUP_WIDGETS)
                    # A group's inputs share the fieldset's description.
                    tags = "fieldset" if group else "input|select|textarea"
                    described = re.search(rf'<(?:{tags})\b[^>]*aria-describedby="([^"]*)"', html)
                    ids = described.group(1).split() if described else []
                    self.assertIn(error_id, ids)
                    if bound.help_text:
                        self.assertIn(f'id="{bound.auto_id}_helptext"', html)
                        self.assertIn(f"{bound.auto_id}_helptext", ids)

    def test_it_renders_a_whole_form_as_its_fields_without_the_error_summary(self) -> None:
        class Sample(forms.Form):
            name = forms.CharField(label="Name")
            token = forms.CharField(widget=forms.HiddenInput)

        form = Sample(data={"token": "t"})
        form.add_error(None, "Something is wrong.")

        html = str(form)

        self.assertIn(
            '<label for="id_name">Name <span class="req">(required)</span></label>', html
        )
        self.assertIn('<input type="hidden" name="token" value="t" id="id_token">', html)
        # The page shows the form's own errors with includes/form_errors.html.
        self.assertNotIn("Something is wrong.", html)
        self.assertNotIn('for="id_token"', html)
