"""common.pictures: a picture is drawn once per fingerprint, kept under its kind and
object id alone, dropped when a setting changes; served as never-stored SVG."""

from __future__ import annotations

from unittest import mock

from django.core.cache import caches
from django.test import SimpleTestCase, override_settings

from common.pictures import cached_picture, picture_key, svg_response


class CachedPictureTests(SimpleTestCase):
    def setUp(self) -> None:
        caches["pictures"].clear()

    def test_it_draws_once_per_fingerprint(self) -> None:
        draw = mock.Mock(side_effect=["<svg>1</svg>", "<svg>2</svg>"])
        first = cached_picture("chart", 7, (1, "a"), draw)
        second = cached_picture("chart", 7, (1, "a"), draw)
        changed = cached_picture("chart", 7, (2, "a"), draw)
        self.assertEqual(
            (first, second, changed), ("<svg>1</svg>", "<svg>1</svg>", "<svg>2</svg>")
        )
        self.assertEqual(draw.call_count, 2)

    def test_its_key_is_the_kind_and_the_id_alone(self) -> None:
        # No fingerprint (times, scores) and no token in the key: the object's id only.
        self.assertEqual(picture_key("emdr-timeline", 42), "emdr-timeline:42")
        cached_picture("emdr-timeline", 42, ("2026-01-05", 20), lambda: "<svg/>")
        cached_picture("emdr-timeline", 42, ("2026-01-06", 21), lambda: "<svg/>")
        keys = list(caches["pictures"]._cache.keys())  # type: ignore[attr-defined]
        self.assertEqual(len(keys), 1)
        self.assertNotIn("2026", keys[0])

    def test_a_changed_setting_empties_the_cache(self) -> None:
        draw = mock.Mock(return_value="<svg/>")
        cached_picture("chart", 1, "same", draw)
        with override_settings(TIME_ZONE="Europe/London"):
            cached_picture("chart", 1, "same", draw)
        self.assertEqual(draw.call_count, 2)

    def test_it_serves_svg_never_stored(self) -> None:
        response = svg_response("<svg/>")
        self.assertEqual(response["Content-Type"], "image/svg+xml; charset=utf-8")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertIn("private", response["Cache-Control"])
        self.assertIn("default-src 'none'", response["Content-Security-Policy"])
