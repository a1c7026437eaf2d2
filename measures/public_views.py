"""The client's answering page, reached only through the secret link in the e-mail.

Nothing but the token is in the URL. The page is never cached (request.phi_page).
A link that is unknown answers 404; used, cancelled or expired answers 410 with a
page that says so and shows nothing else (no questionnaire, no name).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from common.onetime import LinkState
from common.timefmt import local_long
from measures import safety, services
from measures.forms import AnswerForm
from measures.models import MeasureLink


def _closed(request: HttpRequest, state: str, status: int) -> HttpResponse:
    return render(request, "measures/link_closed.html", {"state": state}, status=status)


def _closed_now(request: HttpRequest, link: MeasureLink) -> HttpResponse:
    """The link closed while the client was on the page (used in another tab, expired)."""
    link.refresh_from_db()
    return _closed(request, link.state(), 410)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    # The page shows one client's questions and answers: never cache it.
    request.phi_page = True  # type: ignore[attr-defined]
    link = MeasureLink.objects.by_token(token).select_related("client").first()
    if link is None:
        return _closed(request, "unknown", 404)
    state = link.state()
    if state != LinkState.OPEN:
        return _closed(request, state, 410)
    try:
        instruments = services.instruments_for(link.instruments)
    except services.MeasureError:
        return _closed(request, "unknown", 404)

    form = AnswerForm(
        instruments, request.POST if request.method == "POST" else None, saved=link.draft
    )
    saved = False
    # A safety item answered above its threshold, saved now or in the draft the
    # client came back to: the crisis resources come first on the page.
    crisis = request.method == "GET" and safety.draft_flags_safety_item(link, instruments)
    if request.method == "POST" and form.is_valid():
        answers = form.answers_by_code()
        try:
            if "save" in request.POST:
                link, alerts = services.link_save_draft(request, link, answers)
                saved = True
                crisis = bool(alerts)
                form = AnswerForm(instruments, saved=link.draft)
            else:
                # A refused submit still stores what was given and raises any
                # alert (link_submit); IncompleteError says what is missing.
                _, alerts = services.link_submit(request, link, answers)
                return render(
                    request,
                    "measures/thanks.html",
                    {"alerts": bool(alerts)},
                )
        except services.IncompleteError as exc:
            form.mark_missing(exc.missing)
            crisis = bool(exc.alerts)
        except services.LinkClosedError:
            return _closed_now(request, link)
    if request.method == "GET":
        services.link_open_log(request, link)
    answered = form.answered_count()
    return render(
        request,
        "measures/answer.html",
        {
            "form": form,
            "sections": form.sections(),
            "answered": answered,
            "total": form.total_items,
            "saved": saved,
            "crisis": crisis,
            "expires": local_long(link.expires_at),
            "missing_count": sum(
                1 for s in form.sections() for i in s["items"] if i["field"].errors
            ),
        },
    )
