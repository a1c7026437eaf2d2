"""Test factories for website: a service page of the public site.
Tests import them from pathways.testing."""

from __future__ import annotations

from typing import Any

from website.models import Service


def make_service(slug: str = "kap", **extra: Any) -> Service:
    defaults: dict[str, Any] = {
        "title": slug.upper(),
        "summary": f"{slug} summary",
        "what_it_is": "What it is.",
        "who_it_may_help": "Who it may help.",
        "how_it_works": "How it works.",
        "session_experience": "What a session is like.",
    }
    defaults.update(extra)
    return Service.objects.create(slug=slug, **defaults)
