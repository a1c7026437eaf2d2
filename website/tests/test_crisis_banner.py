from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, get_resolver, reverse

from pathways.testing import make_service

# Every public page, found from the URL configuration so a new page cannot be missed.
PUBLIC_URLS = [
    p.name for p in get_resolver("website.urls").url_patterns if isinstance(p, URLPattern)
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_URLS)
def test_it_shows_crisis_lines_on_every_public_page(client: Any, name: str) -> None:
    make_service("kap")
    path = "/services/kap/" if name == "service" else reverse(f"website:{name}")
    html = client.get(path).content.decode()
    assert 'href="tel:988"' in html
    assert 'href="tel:911"' in html
    assert "Suicide &amp; Crisis Lifeline" in html


def test_it_found_the_public_pages() -> None:
    assert {"home", "service", "fit", "request", "contact"} <= set(PUBLIC_URLS)
