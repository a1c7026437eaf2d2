"""A link as a QR code, as inline SVG, for a client to open on their own phone in the
office (a consent or questionnaire link shown once on a staff page).

Made on this server (the `qrcode` package): the link never leaves it, is never
logged and never stored. The SVG scales with CSS and is named for screen readers.
"""

from __future__ import annotations

import re
from html import escape

import qrcode
import qrcode.constants
import qrcode.image.svg
from django.utils.safestring import SafeString, mark_safe

_SIZE = re.compile(r'\s(width|height)="[^"]*"')


def qr_svg(link: str, *, label: str) -> SafeString:
    """`link` as an inline <svg> QR code, with `label` as its accessible name."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        image_factory=qrcode.image.svg.SvgPathImage,
        border=4,
    )
    code.add_data(link)
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    svg = _SIZE.sub("", svg.split("?>", 1)[-1].strip(), count=2)
    opening = f'<svg class="qr-code" role="img" aria-label="{escape(label)}" '
    svg = svg.replace("<svg ", opening, 1).replace(
        "<path ", '<rect width="100%" height="100%" fill="#fff"/><path ', 1
    )
    return mark_safe(svg)  # noqa: S308  # built here from the qrcode package's output
