"""The production static files storage, with each file's URL worked out once.

Why: every page writes the URL of its stylesheets and scripts (nine `{% static %}` in
base.html, one more for the idle warning): the manifest storage works each one out
afresh, splitting, unquoting and joining the name and looking it up in the manifest,
1,300 bytecodes a tag: 11,000 of the client list's 217,000 (`make bench-work`, issue 14).

A name's URL cannot change while the process runs: the manifest is read once, when the
storage is made, and a change of settings makes a new storage (Django's `storages`
are reset by `setting_changed`). Only `collectstatic` changes the manifest in a running
process, and it goes through `post_process`, which forgets what was kept. `DEBUG`, which
the manifest storage reads at each call (unhashed names when on), does not reset the
storages: it does not change in a running server, and a test that turns it on under the
production storage makes a storage of its own. A name the
manifest lacks still raises (nothing is kept for it), as the storage always did.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage

# Names come from the templates, a few dozen; a template that passes a variable could
# ask for more, so the dictionary is emptied when it holds this many.
_KEEP = 512


class ManifestStaticStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """whitenoise's compressed manifest storage; `url(name)` kept per name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return str(super().url(name, force))
        try:
            return self._urls[name]
        except KeyError:
            pass
        url = str(super().url(name))
        if len(self._urls) >= _KEEP:
            self._urls.clear()
        self._urls[name] = url
        return url

    def post_process(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
