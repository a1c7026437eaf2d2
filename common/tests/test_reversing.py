"""URLs of record numbers reversed once (common/reversing.py) and the `url` tag that uses
them (common/template_urls.py): the same text as Django's `reverse`, or Django's."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpResponse
from django.template import Context, Template, TemplateSyntaxError
from django.test import SimpleTestCase, override_settings
from django.urls import (
    NoReverseMatch,
    path,
    re_path,
    register_converter,
    reverse,
    set_script_prefix,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from common import reversing
from common.reversing import Reverser, numbered_url, reverse_numbered
from pathways.testing.matrix import url_routes


def _view(request: Any) -> HttpResponse:  # pragma: no cover  (never called: only reversed)
    return HttpResponse()


class FromAThousand:
    """A converter of whole numbers that refuses the small ones when reversing."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        if value < 1000:
            raise ValueError(value)
        return str(value)


register_converter(FromAThousand, "fromathousand")

# A URLconf of the kinds of route the project has, and the kinds it might.
urlpatterns = [
    path("big/<fromathousand:pk>/", _view, name="big"),
    path("a/<int:pk>/", _view, name="one"),
    path("a/<int:pk>/b/<int:other>/", _view, name="two"),
    path("plain/", _view, name="none"),
    path("token/<str:token>/", _view, name="token"),
    path("slug/<slug:slug>/", _view, name="slug"),
    re_path(r"^year/(?P<year>[0-9]{4})/$", _view, name="year"),
    path("kw/<int:pk>/", _view, {"extra": 1}, name="extra"),
]

_ARG = re.compile(r"<(?:(?P<converter>[^>:]+):)?[^>]+>")


def routes() -> list[tuple[str, list[str | None]]]:
    """Every named route of the project: (name with namespaces, converters)."""
    return [
        (name, [m["converter"] for m in _ARG.finditer(route)])
        for name, route in url_routes()
        if "<unnamed " not in name
    ]


def django_or_error(name: str, args: list[Any]) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return "NoReverseMatch"


class ReverseNumberedTests(SimpleTestCase):
    def test_the_project_has_routes_of_numbers_to_compare(self) -> None:
        numbered = [name for name, conv in routes() if conv and set(conv) == {"int"}]

        assert len(numbered) > 50

    def test_no_two_routes_of_the_project_share_a_name(self) -> None:
        # reverse tries a name's routes in turn; with one route a name gives one URL
        # shape, the one the stand-ins found (common/reversing.py).
        names = [name for name, _converters in routes()]

        assert sorted(n for n in set(names) if names.count(n) > 1) == []

    @settings(max_examples=60, deadline=None)
    @given(numbers=st.lists(st.integers(min_value=0, max_value=10**12), min_size=8, max_size=8))
    def test_it_gives_what_reverse_gives_on_every_route_of_the_project(
        self, numbers: list[int]
    ) -> None:
        for name, converters in routes():
            args = numbers[: len(converters)]
            expected = django_or_error(name, args)
            fast = numbered_url(name, args, None)
            if fast is not None:
                assert fast == expected, name
                assert Reverser()(name, *args) == expected, name
            elif converters and set(converters) == {"int"}:
                # Every route of numbers alone takes the quick path.
                raise AssertionError(f"{name} was left to reverse")

    def test_it_leaves_what_is_not_a_whole_number_to_reverse(self) -> None:
        for args in ([-1], [True], ["7"], [7.0], [None]):
            assert numbered_url("clients:detail", args, None) is None, args

    def test_it_still_answers_through_reverse_for_other_arguments(self) -> None:
        for write in (reverse_numbered, Reverser()):
            with self.subTest(write=write):
                as_text = write("clients:detail", "7")  # type: ignore[arg-type]
                assert as_text == reverse("clients:detail", args=["7"])
                for refused in (-1, True):  # reverse refuses them too
                    with self.assertRaises(NoReverseMatch):
                        write("clients:detail", refused)
                with self.assertRaises(NoReverseMatch):
                    write("no-such-name", 7)


@override_settings(ROOT_URLCONF=__name__)
class OtherRoutesTests(SimpleTestCase):
    def test_it_writes_the_numbers_into_their_places(self) -> None:
        assert reverse_numbered("one", 5) == "/a/5/"
        assert reverse_numbered("two", 5, 0) == "/a/5/b/0/"
        assert reverse_numbered("none") == "/plain/"

    def test_it_takes_no_quick_path_where_a_pattern_could_refuse_a_number(self) -> None:
        # The stand-ins pass these patterns (or fail them) for reasons a number need
        # not share: reverse decides.
        for name in ("token", "slug", "year", "big"):
            assert numbered_url(name, [2026], None) is None, name
        assert reverse_numbered("year", 2026) == "/year/2026/"
        with self.assertRaises(NoReverseMatch):
            reverse_numbered("year", 12345)
        assert reverse_numbered("big", 2026) == "/big/2026/"
        with self.assertRaises(NoReverseMatch):
            reverse_numbered("big", 5)

    def test_it_follows_the_script_prefix(self) -> None:
        set_script_prefix("/practice/")
        try:
            assert reverse_numbered("one", 5) == "/practice/a/5/"
            assert Reverser()("two", 5, 0) == "/practice/a/5/b/0/"
        finally:
            set_script_prefix("/")
        assert reverse_numbered("one", 5) == "/a/5/"
        assert Reverser()("two", 5, 0) == "/a/5/b/0/"

    def test_a_reverser_writes_as_reverse_numbered(self) -> None:
        url = Reverser()
        assert url("one", 5) == "/a/5/"
        assert url("two", 5, 0) == "/a/5/b/0/"
        assert url("none") == "/plain/"
        assert url("year", 2026) == "/year/2026/"  # through reverse
        with self.assertRaises(NoReverseMatch):
            url("big", 5)

    def test_it_follows_a_change_of_urlconf(self) -> None:
        with override_settings(ROOT_URLCONF="pathways.urls"):
            assert reverse_numbered("clients:detail", 5) == reverse("clients:detail", args=[5])
        assert reverse_numbered("one", 5) == "/a/5/"
        with self.assertRaises(NoReverseMatch):
            reverse_numbered("clients:detail", 5)

    def test_it_keeps_one_text_per_name_and_count(self) -> None:
        reversing._parts.cache_clear()
        for pk in range(50):
            reverse_numbered("one", pk)

        assert reversing._parts.cache_info().currsize == 1


def render(text: str, **values: object) -> str:
    return Template(text).render(Context(values))


class UrlTagTests(SimpleTestCase):
    @settings(max_examples=50, deadline=None)
    @given(pk=st.integers(min_value=0, max_value=10**12), other=st.integers())
    def test_it_writes_what_djangos_tag_writes(self, pk: int, other: int) -> None:
        for text in (
            "{% url 'clients:detail' pk %}",
            "{% url 'clients:detail' pk as link %}[{{ link }}]",
            "{% url 'scheduling:new' %}",
            "{% url 'clients:detail' other as link %}[{{ link }}]",
            "{% url 'clients:detail' pk=pk %}",
        ):
            ours = render(text, pk=pk, other=other)
            assert ours == _djangos(text, pk=pk, other=other), text

    def test_it_raises_as_djangos_tag_does(self) -> None:
        with self.assertRaises(NoReverseMatch):
            render("{% url 'clients:detail' -1 %}")
        with self.assertRaises(NoReverseMatch):
            render("{% url 'no-such-name' 1 %}")
        with self.assertRaises(TemplateSyntaxError):
            Template("{% url %}")

    def test_it_escapes_as_djangos_tag_does(self) -> None:
        assert render("{% autoescape off %}{% url 'clients:detail' 3 %}{% endautoescape %}") == (
            reverse("clients:detail", args=[3])
        )


def _djangos(text: str, **values: object) -> str:
    """`text` rendered with Django's own `url` tag (the builtins without ours)."""
    from django.template import Engine
    from django.template.engine import Engine as EngineClass

    engine: EngineClass = Engine.get_default()
    builtins = [b for b in engine.builtins if b != "common.template_urls"]
    theirs = EngineClass(builtins=builtins, libraries=engine.libraries)
    return theirs.from_string(text).render(Context(values))
