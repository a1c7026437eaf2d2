"""Pictures (SVG charts) kept until the data they draw changes, and how they are served.

Drawing a chart with matplotlib takes 100–300 ms; reading what it draws takes a few
milliseconds. So a picture view reads a fingerprint of the data (the values drawn, or
counts and latest times, in a few indexed queries), and `cached_picture` draws only when
that fingerprint differs from the one the cached picture was drawn from. The key is the
kind of picture and the object's id, nothing else: no token, no PHI (the fingerprint
is compared inside the cached value, hashed, so an old version is replaced rather than
kept beside the new one).

The cache is the `pictures` alias (settings.CACHES): a LocMemCache, per process and
bounded. Not a shared cache (Redis, memcached): a picture holds PHI (scores, vital
signs, times), and kept in the process's memory it never leaves the process or the
database. Each worker draws a picture once, then serves it until its data changes.

A picture also depends on settings (the effect windows, the practice's time zone):
any setting changed at run time (a test's override_settings) empties the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import InvalidCacheBackendError, caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

ALIAS = "pictures"

# A picture opened on its own is a document: a policy that lets matplotlib's own
# <style> and style attributes apply, and nothing else (no script, no fetch).
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def fingerprint_digest(fingerprint: object) -> str:
    """A stable digest of a fingerprint (its repr: build it of numbers, strings,
    times and tuples of them, whose repr is their value)."""
    return hashlib.sha256(repr(fingerprint).encode()).hexdigest()


def picture_key(kind: str, pk: int) -> str:
    """The cache key: the kind of picture and the object's id, nothing else."""
    return f"{kind}:{int(pk)}"


def cached_picture(kind: str, pk: int, fingerprint: object, draw: Callable[[], str]) -> str:
    """The picture of object `pk` drawn from data whose fingerprint is `fingerprint`:
    from the cache when it was drawn from the same data, else drawn now and kept."""
    cache = caches[ALIAS]
    key = picture_key(kind, pk)
    digest = fingerprint_digest(fingerprint)
    kept = cache.get(key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == digest:
        return str(kept[1])
    picture = draw()
    cache.set(key, (digest, picture))
    return picture


def row_values(rows: Any) -> tuple[tuple[object, ...], ...]:
    """Every stored column of each model instance, for a fingerprint made of the rows a
    picture draws (a model's repr is its label, not its values)."""
    return tuple(
        tuple(getattr(row, field.attname) for field in row._meta.concrete_fields) for row in rows
    )


def svg_response(svg: str) -> HttpResponse:
    """An SVG picture of PHI: its own content policy, and never stored by the browser
    or a proxy (as every PHI response)."""
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = SVG_CSP
    add_never_cache_headers(response)
    return response


@receiver(setting_changed)
def _settings_changed(**_kwargs: object) -> None:
    # A picture drawn under other settings (effect windows, time zone) is not this one.
    # A test's CACHES without the alias keeps nothing to drop.
    with contextlib.suppress(InvalidCacheBackendError):
        caches[ALIAS].clear()
