"""The SVG plumbing every chart shares (common/svg.py): a document with no prolog,
an accessible title, real text, and the same bytes for the same picture."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.test import SimpleTestCase
from matplotlib.backends.backend_svg import FigureCanvasSVG

from common import svg

SVG = "{http://www.w3.org/2000/svg}"


def texts(document: str) -> list[str]:
    root = ET.fromstring(document)  # noqa: S314 - our own SVG, made in this test
    return ["".join(el.itertext()).strip() for el in root.iter(f"{SVG}text")]


def drawn() -> str:
    figure = svg.figure(4, 2)
    ax = figure.subplots()
    ax.plot([1, 2, 3], [3, 1, 2], label="Score")
    ax.set_title("Scores & bands")
    return svg.to_svg(figure, "Scores: 3 values <none missing> & no name.")


class SvgTests(SimpleTestCase):
    def test_it_draws_on_its_own_svg_canvas_with_a_constrained_layout(self) -> None:
        figure = svg.figure(5, 3)

        self.assertIsInstance(figure.canvas, FigureCanvasSVG)
        self.assertEqual(figure.get_layout_engine().__class__.__name__, "ConstrainedLayoutEngine")
        self.assertEqual(list(figure.get_size_inches()), [5, 3])

    def test_it_gives_a_document_without_prolog_or_date(self) -> None:
        document = drawn()

        self.assertTrue(document.startswith("<svg"))  # can be inlined in a page
        self.assertNotIn("<?xml", document)
        self.assertNotIn("DOCTYPE", document)
        self.assertNotIn("<dc:date>", document)
        self.assertNotIn("Matplotlib", document)  # no creator either

    def test_it_puts_the_escaped_description_first_as_the_title(self) -> None:
        root = ET.fromstring(drawn())  # noqa: S314

        first = root[0]
        self.assertEqual(first.tag, f"{SVG}title")
        self.assertEqual(first.text, "Scores: 3 values <none missing> & no name.")
        self.assertEqual(len(root.findall(f"{SVG}title")), 1)

    def test_it_keeps_text_as_text(self) -> None:
        self.assertIn("Scores & bands", texts(drawn()))

    def test_the_same_picture_gives_the_same_bytes(self) -> None:
        self.assertEqual(drawn(), drawn())

    def test_it_says_why_a_picture_is_empty(self) -> None:
        document = svg.message_svg(
            "No data yet", "Timeline: no data yet.", size=(10, 2), fontsize=16
        )

        root = ET.fromstring(document)  # noqa: S314
        self.assertEqual(texts(document), ["No data yet"])
        self.assertEqual(root.get("width"), "720pt")  # 10 inches
        title = root.find(f"{SVG}title")
        assert title is not None
        self.assertEqual(title.text, "Timeline: no data yet.")

    def test_it_notes_an_empty_panel_and_draws_a_light_grid_behind(self) -> None:
        figure = svg.figure(4, 2)
        ax = figure.subplots()
        svg.note(ax, "No vital signs recorded", 12)
        svg.light_grid(ax, "y")

        self.assertIs(ax.get_axisbelow(), True)  # the default, "line", is truthy
        self.assertTrue(all(line.get_visible() for line in ax.get_ygridlines()))
        self.assertFalse(any(line.get_visible() for line in ax.get_xgridlines()))
        self.assertIn("No vital signs recorded", texts(svg.to_svg(figure, "Empty.")))
