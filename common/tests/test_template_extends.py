"""`common.template_extends`: the `extends` tag that finds the root's blocks once renders
as Django's own, through chains of templates, `block.super`, a variable parent and the
project's pages."""

from __future__ import annotations

import hashlib
import inspect
from typing import Any

from django.template import Context, Engine
from django.template.loader import get_template
from django.template.loader_tags import ExtendsNode
from django.test import SimpleTestCase

from common import template_extends
from common.template_extends import RootBlocksExtendsNode

TEMPLATES = {
    "root.html": "<h1>{% block title %}Root{% endblock %}</h1>"
    "{% if show %}{% block body %}root body{% endblock %}{% endif %}"
    "{% for i in items %}{% block item %}[{{ i }}]{% endblock %}{% endfor %}<footer/>",
    "mid.html": "{% extends 'root.html' %}{% block title %}Mid {{ block.super }}{% endblock %}",
    "leaf.html": "  {% extends 'mid.html' %}{% block body %}leaf, {{ block.super }}{% endblock %}"
    "{% block title %}Leaf: {{ block.super }}{% endblock %}",
    "item.html": "{% extends 'root.html' %}{% block item %}<{{ i }}>{% endblock %}",
    "by-name.html": "{% extends parent %}{% block title %}Named{% endblock %}",
    "other-root.html": "{# a root #}<p>{% block title %}Other{% endblock %}</p>",
}


def engine(*, ours: bool, templates: dict[str, str] = TEMPLATES) -> Engine:
    builtins = ["common.template_extends"] if ours else []
    loaders = [("django.template.loaders.locmem.Loader", templates)]
    return Engine(loaders=[("django.template.loaders.cached.Loader", loaders)], builtins=builtins)


class ExtendsTests(SimpleTestCase):
    def both(self, name: str, **context: Any) -> str:
        ours = engine(ours=True).get_template(name).render(Context(context))
        theirs = engine(ours=False).get_template(name).render(Context(context))
        assert ours == theirs, name
        return ours

    def test_it_renders_as_djangos_extends(self) -> None:
        for show in (True, False):
            for name in ("mid.html", "leaf.html", "item.html"):
                with self.subTest(name=name, show=show):
                    self.both(name, show=show, items=[1, 2])
        out = self.both("leaf.html", show=True, items=[3])
        assert out == "  <h1>Leaf: Mid Root</h1>leaf, root body[3]<footer/>"

    def test_it_takes_a_parent_named_by_a_variable_or_given_as_a_template(self) -> None:
        self.both("by-name.html", parent="root.html", show=True, items=[])
        self.both("by-name.html", parent="other-root.html")
        parent = engine(ours=False).get_template("mid.html")
        self.both("by-name.html", parent=parent, show=True, items=[])

    def test_it_reads_the_blocks_of_a_root_loaded_again(self) -> None:
        first = engine(ours=True).get_template("mid.html").render(Context({"show": True}))
        changed = {**TEMPLATES, "root.html": "<b>{% block title %}New{% endblock %}</b>"}
        second = engine(ours=True, templates=changed).get_template("mid.html")
        assert first.startswith("<h1>Mid Root</h1>")
        assert second.render(Context({})) == "<b>Mid New</b>"

    def test_it_keeps_a_roots_blocks_once(self) -> None:
        ours = engine(ours=True)
        leaf = ours.get_template("item.html")
        for _ in range(3):
            leaf.render(Context({"items": [1]}))
        root = ours.get_template("root.html")
        assert set(template_extends._ROOT_BLOCKS[root] or {}) == {"title", "body", "item"}
        ours.get_template("leaf.html").render(Context({}))
        assert template_extends._ROOT_BLOCKS[ours.get_template("mid.html")] is None

    def test_the_project_uses_it(self) -> None:
        page = get_template("pathways/dashboard.html").template  # type: ignore[attr-defined]
        assert isinstance(page.nodelist[0], RootBlocksExtendsNode)


# Django 5.2's ExtendsNode.render, which RootBlocksExtendsNode.render copies: a Django
# that changes it fails here, so that the copy is read again beside the new one.
DJANGO_RENDER_SHA256 = "a5faa7f78356ce8cb4a34ecf468287e525483678bd11a1ac3703eb7df7ff7d8a"


class DjangoUnchangedTests(SimpleTestCase):
    def test_djangos_extends_render_is_the_one_copied(self) -> None:
        source = inspect.getsource(ExtendsNode.render)
        assert hashlib.sha256(source.encode()).hexdigest() == DJANGO_RENDER_SHA256
