"""The form renderer's Python (common.forms: an input, a textarea, a field's group) writes
what the templates wrote, character for character, for every field of every form of
the project, unbound and with errors (issue 14)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

from django import forms
from django.apps import apps
from django.forms.renderers import TemplatesSetting
from django.template.loader import get_template

from common.forms import (
    INPUT_TEMPLATES,
    SELECT_TEMPLATE,
    TEXTAREA_TEMPLATE,
    PathwaysFormRenderer,
)
from pathways.testing import BaseTestCase

DJANGO_WIDGETS = Path(forms.__file__).parent / "templates"


class TemplatesOnly(PathwaysFormRenderer):
    """The project's renderer as it was: every field through its templates."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        return str(TemplatesSetting.render(self, template_name, context, request))


ROOT = Path(__file__).resolve().parents[2]


def _project_forms() -> list[type[forms.BaseForm]]:
    """Every form class the project's apps define (their forms, views and admin)."""
    ours = [a for a in apps.get_app_configs() if ".venv" not in Path(a.path).parts]
    ours = [a for a in ours if Path(a.path).is_relative_to(ROOT)]
    for app in ours:
        for module in ("forms", "views", "portal_views", "admin"):
            try:
                importlib.import_module(f"{app.name}.{module}")
            except ModuleNotFoundError:
                continue
    names = {a.name for a in ours}
    found: set[type[forms.BaseForm]] = set()
    todo: list[type[forms.BaseForm]] = [forms.Form, forms.ModelForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in names:
                found.add(sub)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _origin(name: str) -> Path:
    """The file the project's template engine reads for `name`."""
    return Path(get_template(name).template.origin.name)  # type: ignore[attr-defined]


def _group(form: forms.BaseForm, name: str, renderer: PathwaysFormRenderer) -> str:
    """`{{ form.<name>.as_field_group }}` through `renderer`, its widget too (a bound
    field keeps the renderer its form had when it was made, and draws its widget with
    the form's)."""
    form.renderer = renderer
    field = form[name]
    return str(field.render(renderer=renderer))


def _takes_data_alone(cls: type[forms.BaseForm]) -> bool:
    """Whether the form is made as Django's are: `cls()` and `cls(data)`."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    free = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    if any(p.default is inspect.Parameter.empty and p.kind not in free for p in params[1:]):
        return False
    return not params or params[0].kind in free or params[0].name == "data"


class FormHtmlTests(BaseTestCase):
    def test_it_writes_every_field_of_every_form_as_the_templates_did(self) -> None:
        quick, templates = PathwaysFormRenderer(), TemplatesOnly()
        checked = fields = 0
        for cls in _project_forms():
            if not _takes_data_alone(cls):
                continue  # a form that needs the view's arguments (a user, a client…)
            datas: tuple[dict[str, Any] | None, ...] = (None, {})
            for data in datas:
                form = cls(data) if data is not None else cls()
                if data is not None:
                    form.is_valid()
                for name in form.fields:
                    with self.subTest(form=cls.__qualname__, field=name, bound=data is not None):
                        self.assertEqual(_group(form, name, quick), _group(form, name, templates))
                        fields += 1
                checked += 1
        # Most forms take no arguments: if this drops, the check above reads too little.
        self.assertGreater(checked, 60)
        self.assertGreater(fields, 300)

    def test_it_writes_a_value_attributes_and_text_as_the_templates_did(self) -> None:
        class Edges(forms.Form):
            name = forms.CharField(
                label='Name <b>"quoted"</b>',
                help_text="Help & <i>more</i>",
                initial='O\'Hara & "Sons" <x>',
                widget=forms.TextInput(attrs={"autofocus": True, "data-x": "<&>", "off": False}),
            )
            note = forms.CharField(widget=forms.Textarea, initial="Line 1\n<script>x</script>")
            empty = forms.CharField(widget=forms.Textarea, required=False)
            count = forms.IntegerField(initial=1234567, min_value=0)
            when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
            secret = forms.CharField(widget=forms.HiddenInput, initial="tok<en>")
            agree = forms.BooleanField(initial=True)
            kind = forms.ChoiceField(
                choices=[
                    ("", "—"),
                    ("Group <1>", [("a&b", 'A "quoted"'), ("c", "C")]),
                    ("d", "D"),
                ],
                initial="c",
                widget=forms.Select(attrs={"data-x": "<&>", "autofocus": True}),
            )
            several = forms.MultipleChoiceField(
                choices=[("1", "One"), ("2", "Two <2>"), ("3", "Three")], initial=["1", "2"]
            )

        quick, templates = PathwaysFormRenderer(), TemplatesOnly()
        bad = {"count": "-5", "name": "<new>", "secret": "", "kind": "zz", "several": ["3"]}
        for form in (Edges(), Edges(bad)):
            form.is_valid()
            for name in form.fields:
                with self.subTest(field=name, bound=form.is_bound):
                    self.assertEqual(_group(form, name, quick), _group(form, name, templates))

    def test_it_writes_only_widgets_whose_templates_are_djangos_input_alone(self) -> None:
        for name in INPUT_TEMPLATES:
            with self.subTest(template=name):
                origin = _origin(name)
                self.assertTrue(origin.is_relative_to(DJANGO_WIDGETS), origin)
                self.assertEqual(
                    origin.read_text(), '{% include "django/forms/widgets/input.html" %}\n'
                )
        textarea = _origin(TEXTAREA_TEMPLATE)
        self.assertTrue(textarea.is_relative_to(DJANGO_WIDGETS), textarea)
        # The select is the project's own template, which `_select` writes (the checks
        # above compare every select of the project's forms): not Django's.
        select = _origin(SELECT_TEMPLATE)
        self.assertTrue(select.is_relative_to(ROOT / "templates"), select)
