"""The plug-in lists in settings (common.plugins): every entry imports, in order."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, override_settings

from clients.panels import TAB_LABELS, providers_for
from common.plugins import plugin, plugins, tabbed_plugins

PLUGIN_SETTINGS = (
    "PATHWAYS_CLIENT_FACTS",
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

    def test_it_imports_every_client_panel_with_a_known_tab(self) -> None:
        loaded = tabbed_plugins("PATHWAYS_CLIENT_PANELS", default="overview")
        self.assertEqual(len(loaded), len(settings.PATHWAYS_CLIENT_PANELS))
        for tab, function in loaded:
            with self.subTest(tab=tab):
                self.assertIn(tab, TAB_LABELS)
                self.assertTrue(callable(function))

    def test_it_keeps_the_order_of_the_list(self) -> None:
        here = __name__
        with override_settings(PATHWAYS_TIMELINE_SOURCES=[f"{here}.second", f"{here}.first"]):
            self.assertEqual(
                [f() for f in plugins("PATHWAYS_TIMELINE_SOURCES")], ["second", "first"]
            )
        with override_settings(PATHWAYS_TIMELINE_SOURCES=[f"{here}.first", f"{here}.second"]):
            self.assertEqual(
                [f() for f in plugins("PATHWAYS_TIMELINE_SOURCES")], ["first", "second"]
            )

    def test_it_gives_each_tab_its_panels_in_the_order_of_the_list(self) -> None:
        here = __name__
        panels = [
            ("notes", f"{here}.second"),
            ("measures", f"{here}.first"),
            ("notes", f"{here}.first"),
            f"{here}.second",  # a bare path goes on the overview
        ]
        with override_settings(PATHWAYS_CLIENT_PANELS=panels):
            self.assertEqual([f.__name__ for f in providers_for("notes")], ["second", "first"])
            self.assertEqual([f.__name__ for f in providers_for("measures")], ["first"])
            self.assertEqual([f.__name__ for f in providers_for("overview")], ["second"])
            self.assertEqual(providers_for("timeline"), [])
            # The whole chart's, each function once, in the list's order.
            self.assertEqual([f.__name__ for f in providers_for(None)], ["second", "first"])

    def test_it_refuses_a_panel_on_a_tab_that_does_not_exist(self) -> None:
        with (
            override_settings(PATHWAYS_CLIENT_PANELS=[("billing", f"{__name__}.first")]),
            self.assertRaisesMessage(ImproperlyConfigured, "billing"),
        ):
            providers_for("overview")

    def test_it_imports_the_single_plugin(self) -> None:
        self.assertTrue(callable(plugin("PATHWAYS_SESSIONS_USED")))

    def test_it_names_each_function_once(self) -> None:
        # A client panel may be on two tabs (the safety alerts), once on each.
        for name in (*PLUGIN_SETTINGS, "PATHWAYS_CLIENT_PANELS"):
            with self.subTest(setting=name):
                paths = getattr(settings, name)
                self.assertEqual(len(paths), len(set(paths)))
