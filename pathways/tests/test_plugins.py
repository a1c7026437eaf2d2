"""The plug-in lists in settings (common.plugins): every entry imports, in order."""

from __future__ import annotations

from django.conf import settings
from django.test import SimpleTestCase, override_settings

from common.plugins import plugin, plugins

PLUGIN_SETTINGS = (
    "PATHWAYS_CLIENT_PANELS",
    "PATHWAYS_PORTAL_PANELS",
    "PATHWAYS_PORTAL_HOME_SECTIONS",
    "PATHWAYS_TIMELINE_SOURCES",
    "PATHWAYS_GATE_CONDITIONS",
    "PATHWAYS_DOSE_CONDITIONS",
    "PATHWAYS_REFERRAL_SECTIONS",
    "PATHWAYS_SESSION_CHARTS",
)


def first() -> str:
    return "first"


def second() -> str:
    return "second"


class PluginTests(SimpleTestCase):
    def test_it_imports_every_listed_function(self) -> None:
        for name in PLUGIN_SETTINGS:
            with self.subTest(setting=name):
                loaded = plugins(name)
                self.assertEqual(len(loaded), len(getattr(settings, name)))
                self.assertTrue(all(callable(f) for f in loaded))

    def test_it_keeps_the_order_of_the_list(self) -> None:
        here = __name__
        with override_settings(PATHWAYS_CLIENT_PANELS=[f"{here}.second", f"{here}.first"]):
            self.assertEqual([f() for f in plugins("PATHWAYS_CLIENT_PANELS")], ["second", "first"])
        with override_settings(PATHWAYS_CLIENT_PANELS=[f"{here}.first", f"{here}.second"]):
            self.assertEqual([f() for f in plugins("PATHWAYS_CLIENT_PANELS")], ["first", "second"])

    def test_it_imports_the_single_plugin(self) -> None:
        self.assertTrue(callable(plugin("PATHWAYS_SESSIONS_USED")))

    def test_it_names_each_function_once(self) -> None:
        for name in PLUGIN_SETTINGS:
            with self.subTest(setting=name):
                paths = getattr(settings, name)
                self.assertEqual(len(paths), len(set(paths)))
