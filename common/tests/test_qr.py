"""A link as a QR code: inline SVG with an accessible name, the same link gives the
same code, and nothing of the SVG runs or fetches anything."""

from __future__ import annotations

from common.qr import qr_svg


def test_it_makes_an_inline_svg_with_an_accessible_name() -> None:
    svg = qr_svg("https://example.com/consent/abc/", label="QR code of the signing link")

    assert svg.startswith(
        '<svg class="qr-code" role="img" aria-label="QR code of the signing link"'
    )
    assert svg.endswith("</svg>")
    assert "<?xml" not in svg
    assert "<script" not in svg
    assert 'width="' not in svg.split(">", 1)[0]  # sized by CSS


def test_it_gives_the_same_code_for_the_same_link_and_another_for_another() -> None:
    one = qr_svg("https://example.com/a/", label="x")

    assert qr_svg("https://example.com/a/", label="x") == one
    assert qr_svg("https://example.com/b/", label="x") != one


def test_it_escapes_the_label() -> None:
    assert 'aria-label="a &quot;b&quot; &lt;c&gt;"' in qr_svg("x", label='a "b" <c>')
