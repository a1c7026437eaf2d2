"""The production static storage keeps each URL (common/static_storage.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

from common.static_storage import ManifestStaticStorage

MANIFEST = {
    "version": "1.1",
    "hash": "abc",
    "paths": {
        "css/site.css": "css/site.0123456789ab.css",
        "js/idle timeout.js": "js/idle timeout.ba9876543210.js",
    },
}


def _storages(root: Path) -> tuple[Any, Any]:
    (root / "staticfiles.json").write_text(json.dumps(MANIFEST))
    options = {"location": str(root), "base_url": "/static/"}
    return ManifestStaticStorage(**options), CompressedManifestStaticFilesStorage(**options)


@override_settings(DEBUG=False)
def test_it_answers_the_manifest_storages_url_for_each_name(tmp_path: Path) -> None:
    ours, theirs = _storages(tmp_path)
    for name in ("css/site.css", "js/idle timeout.js", "css/site.css?v=1#top"):
        assert ours.url(name) == theirs.url(name)
        assert ours.url(name) == theirs.url(name)  # kept, and still the same
    assert ours.url("css/site.css") == "/static/css/site.0123456789ab.css"
    assert ours.url("css/site.css", force=True) == theirs.url("css/site.css", force=True)


@override_settings(DEBUG=False)
def test_it_works_a_url_out_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ours, _ = _storages(tmp_path)
    asked: list[str] = []
    original = CompressedManifestStaticFilesStorage.url

    def counting(self: Any, name: str, force: bool = False) -> str:
        asked.append(name)
        return str(original(self, name, force))

    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", counting)
    for _ in range(3):
        ours.url("css/site.css")
    assert asked == ["css/site.css"]


@override_settings(DEBUG=False)
def test_it_still_refuses_a_name_the_manifest_lacks_each_time(tmp_path: Path) -> None:
    ours, _ = _storages(tmp_path)
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            ours.url("css/gone.css")
    assert "css/gone.css" not in ours._urls


@override_settings(DEBUG=False)
def test_it_forgets_the_urls_when_collectstatic_processes_the_files(tmp_path: Path) -> None:
    ours, _ = _storages(tmp_path)
    ours.url("css/site.css")
    assert ours._urls
    list(ours.post_process({}, dry_run=True))
    assert ours._urls == {}


@override_settings(DEBUG=False)
def test_it_empties_itself_when_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ours, _ = _storages(tmp_path)
    monkeypatch.setattr("common.static_storage._KEEP", 1)
    ours.url("css/site.css")
    ours.url("js/idle timeout.js")
    assert list(ours._urls) == ["js/idle timeout.js"]
