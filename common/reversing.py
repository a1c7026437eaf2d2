"""Named URLs of record numbers, reversed once per process (issue 14).

Django's `reverse` matches the name against its patterns on every call: about 1,000
bytecodes, 1,700 through the `{% url %}` tag. A list page links each of its rows
(`{% url 'clients:detail' item.client_id %}`), and the 200 links of a page of the
outcomes report were 18% of its work. Most of the project's URLs name a record by its
number (`<int:pk>`), and such a URL is the same text around the numbers whatever they
are. So `reverse_numbered` reverses a name once with stand-in numbers, keeps the text
around them, and writes each URL by putting the numbers in their place.

It takes that path only where it gives what `reverse` gives (for a name with one
route, as every name of the project has: a test checks): every argument a
non-negative int (not a bool), and the stand-in URL resolving back to the same name
through a route whose every converter is `int` (which takes any such number, so no
number is refused that the stand-ins passed) and that gets back the stand-ins. Anything
else (a keyword argument, a token, a `re_path`, a name no route has) goes to `reverse`,
which answers or raises as always. The text is kept per URLconf (a new one after
`clear_url_caches`), script prefix, language and current app: everything `reverse`
reads besides the name and the numbers. common/tests/test_reversing.py compares the two
over every route of the project.

Part of the shared library (issue 9): it imports no app.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.urls import Resolver404, URLResolver, get_resolver, get_script_prefix, get_urlconf
from django.urls import resolve as django_resolve
from django.urls import reverse as django_reverse
from django.urls.exceptions import NoReverseMatch
from django.utils.translation import get_language

# Far beyond any record number, and each found once in a URL (checked).
STAND_INS = tuple(7_300_000_000_000_000_011 + 100 * i for i in range(8))
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def reverse_numbered(view_name: str, *numbers: int, current_app: str | None = None) -> str:
    """`reverse(view_name, args=numbers, current_app=current_app)`, quicker."""
    url = numbered_url(view_name, numbers, current_app)
    if url is None:
        return django_reverse(view_name, args=numbers, current_app=current_app)
    return url


def numbered_url(view_name: Any, args: Sequence[Any], current_app: str | None) -> str | None:
    """The URL `reverse` would give, or None where this cannot tell (call `reverse`)."""
    if not isinstance(view_name, str) or len(args) > len(STAND_INS):
        return None
    for arg in args:
        if type(arg) is not int or arg < 0:
            return None
    urlconf = get_urlconf()
    parts = _parts(
        view_name,
        len(args),
        current_app,
        urlconf,
        get_resolver(urlconf),
        get_script_prefix(),
        get_language(),
    )
    if parts is None:
        return None
    return _filled(parts, args)


class Reverser:
    """`reverse_numbered` for the many URLs of one page (a list's rows, the navigation):
    what `reverse` reads besides the name and the numbers (the URLconf, the script
    prefix, the language) is read once, when the reverser is made, not once a URL.

    Make one where the URLs are written and drop it after: within one response none of
    those changes. A name this cannot write goes to `reverse`, as `reverse_numbered`."""

    __slots__ = ("_current_app", "_key")

    def __init__(self, current_app: str | None = None) -> None:
        urlconf = get_urlconf()
        self._current_app = current_app
        resolver = get_resolver(urlconf)
        self._key = (current_app, urlconf, resolver, get_script_prefix(), get_language())

    def __call__(self, view_name: str, *numbers: int) -> str:
        if len(numbers) <= len(STAND_INS):
            for number in numbers:
                if type(number) is not int or number < 0:
                    break
            else:
                parts = _parts(view_name, len(numbers), *self._key)
                if parts is not None:
                    return _filled(parts, numbers)
        return django_reverse(view_name, args=numbers, current_app=self._current_app)


def _filled(parts: tuple[str, ...], numbers: Sequence[int]) -> str:
    if not numbers:
        return parts[0]
    out = [parts[0]]
    for number, after in zip(numbers, parts[1:], strict=True):
        out.append(str(number))
        out.append(after)
    return "".join(out)


@lru_cache(maxsize=2048)
def _parts(
    view_name: str,
    count: int,
    current_app: str | None,
    urlconf: str | None,
    resolver: URLResolver,  # the key's part that changes with the URLconf's patterns
    prefix: str,
    language: str | None,
) -> tuple[str, ...] | None:
    """The URL's text around its `count` numbers, or None if it is not that kind."""
    stand_ins = list(STAND_INS[:count])
    try:
        url = django_reverse(view_name, urlconf=urlconf, args=stand_ins, current_app=current_app)
    except NoReverseMatch:
        return None
    if not url.startswith(prefix):
        return None
    try:
        match = django_resolve("/" + url[len(prefix) :], urlconf)
    except Resolver404:
        return None
    converters = [found["converter"] for found in _CONVERTER.finditer(match.route or "")]
    if (
        match.view_name != view_name
        or converters != ["int"] * count
        or [*match.args, *match.captured_kwargs.values()] != stand_ins  # type: ignore[attr-defined]
    ):
        return None
    parts = []
    rest = url
    for stand_in in map(str, stand_ins):
        if rest.count(stand_in) != 1:
            return None
        before, rest = rest.split(stand_in)
        parts.append(before)
    parts.append(rest)
    return tuple(parts)
