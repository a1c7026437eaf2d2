"""The signed copy as a document: exactly what the client signed (the stored title
and text, never the current version), the typed name, when, and the version.

`signed_copy_html` is the page WeasyPrint lays out; `signed_copy_pdf` the PDF the
client downloads after signing and staff print. The layout fetches nothing: every
style is in the page, and any URL it might name is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from django.conf import settings
from django.template.loader import render_to_string

from common.timefmt import local_day_hm_zone, local_long
from consents.models import SignedConsent


def signed_copy_html(signed: SignedConsent) -> str:
    """The copy as HTML: the title and text as signed, the signature and its evidence."""
    return render_to_string(
        "consents/copy_pdf.html",
        {
            "signed": signed,
            "practice_name": settings.PRACTICE_NAME,
            "practice_phone": settings.PRACTICE_PHONE,
            "signed_local": local_long(signed.signed_at),
            "signed_zone": local_day_hm_zone(signed.signed_at),
            "signed_utc": f"{signed.signed_at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC",
        },
    )


def _fetch_nothing(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    # The copy is self-contained: nothing is fetched while it is laid out.
    raise ValueError("The signed copy fetches no resources.")


def signed_copy_pdf(signed: SignedConsent) -> bytes:
    """The copy as PDF bytes (WeasyPrint)."""
    # Imported here: WeasyPrint parses its stylesheets on import (about a second), which
    # every command and worker would pay at start-up for a page few requests open.
    import weasyprint

    document = weasyprint.HTML(string=signed_copy_html(signed), url_fetcher=_fetch_nothing)
    pdf = document.write_pdf()
    if not isinstance(pdf, bytes):  # write_pdf returns the bytes when given no target
        raise TypeError("WeasyPrint gave no PDF bytes.")
    return pdf
