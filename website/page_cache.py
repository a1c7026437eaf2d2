"""The public pages a visitor reads (the home page, a service page), rendered once per
version of what they show, and served from memory after that (issue 14 §3: a public
page at most 1.5× the framework's floor).

Rendering the home page's templates took 1.6 ms where the bare view took 0.3 ms. What
the page shows is the same for every visitor who is not signed in and has no session
(so no flash message and no idle warning), and it changes only when a published service
does. So the view takes the published services, a fingerprint of every stored column,
and renders only when that fingerprint differs from the one the kept copy was made from.

The published services themselves are kept too (`published_services`): read again at
most every PUBLIC_PAGE_RECHECK_SECONDS (2) per process, and at once in the process that
saves or deletes a service (the signals below). Reading them was the one query of the
home page, a service page and the request form: on PostgreSQL a round trip that made a
kept page cost twice the floor. An edit saved in the admin shows at once in the worker
that saved it, and in the others within those seconds.

Kept in the process's own memory (the `pages` LocMemCache): public text only, never
a page of a signed-in user or a visitor with a session, and never a visitor's own
token (the request and contact forms carry a CSRF token and a submission token).
Of a blank form, its fields are kept (`cached_fragment`): rendering them through
Django's widget templates took 11 of the request form's 13 ms, and they are the same for
everyone until a published service changes. For a plain visitor the whole blank page is
kept too, with stand-ins where the tokens go (`cached_form_page`), and each visitor gets
the page with their own tokens put in; the stand-ins are never usable tokens. A setting
changed at run time (a test's override_settings) empties it, since the pages show the
practice's name and address from settings.
"""

from __future__ import annotations

import contextlib
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.core.signals import setting_changed
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.safestring import SafeString

from common.csrf import get_token
from common.pictures import fingerprint_digest, row_values
from website.models import Service

ALIAS = "pages"
PREFIX = "public-page"
# (when read, by _clock(); the published services), or None: read on next use.
_services: tuple[float, tuple[Service, ...]] | None = None
# Moved on by every forget: a read that began before one never keeps what it read (a
# thread of the same process may save a service while another reads the old rows).
_generation = 0
_clock = time.monotonic


def published_services() -> list[Service]:
    """The published services, as the public pages show them: read from the database at
    most every PUBLIC_PAGE_RECHECK_SECONDS in this process, and at once after a service
    is saved or deleted here. Read-only: the same instances serve every visitor."""
    global _services  # the process's own copy, by design
    kept = _services
    now = _clock()
    if kept is not None and now - kept[0] < settings.PUBLIC_PAGE_RECHECK_SECONDS:
        return list(kept[1])
    generation = _generation
    services = tuple(Service.objects.published())
    if generation == _generation:
        _services = (now, services)
    return list(services)


def forget_services() -> None:
    global _services, _generation
    _generation += 1
    _services = None


@receiver(post_save, sender=Service)
@receiver(post_delete, sender=Service)
def _forget_on_change(**_: Any) -> None:
    # Now, for this thread's next page; and again once the change is committed, since
    # another thread reading before the commit still reads the old rows.
    forget_services()
    transaction.on_commit(forget_services)


def plain_visitor(request: HttpRequest) -> bool:
    """Not signed in and no session: the page is the same for every such visitor."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and not (
        request.user.is_authenticated
    )


def cached_page(
    request: HttpRequest,
    *,
    name: str,
    shown: Iterable[models.Model],
    render_page: Callable[[], HttpResponse],
) -> HttpResponse:
    """The page `name`, drawn from the rows `shown`: from memory for a plain visitor
    when those rows are unchanged, else rendered now (and kept, when it is a 200)."""
    if not plain_visitor(request):
        return render_page()
    cache = caches[ALIAS]
    key = f"{PREFIX}:{name}"
    digest = fingerprint_digest(row_values(shown))
    kept = cache.get(key)
    if isinstance(kept, tuple) and len(kept) == 3 and kept[0] == digest:
        return HttpResponse(kept[1], content_type=kept[2])
    response = render_page()
    # A page that asked for a CSRF token holds this visitor's token: never kept, whatever
    # a template comes to include.
    carries_token = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
    if response.status_code == 200 and not response.streaming and not carries_token:
        cache.set(key, (digest, response.content, response["Content-Type"]))
    return response


def cached_fragment(
    *,
    name: str,
    shown: Iterable[models.Model],
    render_fragment: Callable[[], SafeString],
    private: Iterable[str] = (),
) -> SafeString:
    """The fragment `name` of a public page, the same for every visitor (a blank form's
    fields, never its tokens), drawn from the rows `shown`: from memory when those rows
    are unchanged, else rendered now and kept. `private` are this visitor's own values
    (the form's submission token): a fragment that holds one is never kept, whatever a
    template comes to include."""
    cache = caches[ALIAS]
    key = f"{PREFIX}-fragment:{name}"
    digest = fingerprint_digest(row_values(shown))
    kept = cache.get(key)
    if (
        isinstance(kept, tuple)
        and len(kept) == 2
        and kept[0] == digest
        and isinstance(kept[1], SafeString)
    ):
        return kept[1]
    html = render_fragment()
    if not any(value and value in html for value in private):
        cache.set(key, (digest, html))
    return html


# Stand-ins for a visitor's own values in a kept form page: random per process, so no
# page text can hold them by chance, and never a usable token. Each visitor's page gets
# its own values in their place (`cached_form_page`).
CSRF_MARK = "keptcsrf" + secrets.token_hex(24)
TOKEN_MARK = str(uuid.uuid4())
# Renders a blank form's page with the submission token given, and the CSRF token given
# (None: the visitor's own, as {% csrf_token %} reads it).
RenderForm = Callable[[str, str | None], HttpResponse]


def cached_form_page(
    request: HttpRequest, *, name: str, shown: Iterable[models.Model], render_page: RenderForm
) -> HttpResponse:
    """A blank public form's page for a plain visitor: rendered once per version of the
    rows `shown` with stand-ins for the two tokens, then served with this visitor's
    CSRF token (`get_token`, which also sets the cookie) and a new submission token in
    their places. Anyone else, or a page whose stand-ins are not where they must be (the
    submission token exactly once, the CSRF token at least once), is rendered for them,
    with their own tokens, and never kept.

    Why: of the request form's 1.6 ms, the page around its kept fields (base.html, the
    form's construction) was 1.3 ms, where the home page costs the floor's 0.3 ms."""
    if not plain_visitor(request):
        return render_page(str(uuid.uuid4()), None)
    cache = caches[ALIAS]
    key = f"{PREFIX}-form:{name}"
    digest = fingerprint_digest(row_values(shown))
    kept = cache.get(key)
    if not (isinstance(kept, tuple) and len(kept) == 3 and kept[0] == digest):
        response = render_page(TOKEN_MARK, CSRF_MARK)
        html = response.content.decode(response.charset)
        if (
            response.status_code != 200
            or response.streaming
            or html.count(TOKEN_MARK) != 1
            or CSRF_MARK not in html
        ):
            return render_page(str(uuid.uuid4()), None)
        kept = (digest, html, response["Content-Type"])
        cache.set(key, kept)
    page = str(kept[1]).replace(CSRF_MARK, get_token(request))
    return HttpResponse(page.replace(TOKEN_MARK, str(uuid.uuid4())), content_type=kept[2])


@receiver(setting_changed)
def _forget_on_setting_change(**_: Any) -> None:
    # Each test starts here (conftest's settings fixture): a service of a test rolled back
    # (no signal) is not shown in the next.
    forget_services()
    # A test's CACHES without the alias keeps nothing to drop.
    with contextlib.suppress(InvalidCacheBackendError):
        caches[ALIAS].clear()
