"""The client's answering page, reached only through the secret link in the e-mail.

Nothing but the token is in the URL. The page is never cached (request.phi_page).
A link that is unknown answers 404; used, cancelled or expired answers 410 with a
page that says so and shows nothing else (no questionnaire, no name).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.actor import Actor
from accounts.models import User
from common.ip import client_ip
from common.onetime import LinkState
from common.timefmt import local_long
from measures import services
from measures.alerts import safety
from measures.answering import services as link_services
from measures.forms import AnswerForm
from measures.models import MeasureLink


def _closed(request: HttpRequest, state: str, status: int) -> HttpResponse:
    return render(request, "measures/link_closed.html", {"state": state}, status=status)


def _closed_now(request: HttpRequest, link: MeasureLink) -> HttpResponse:
    """The link closed while the client was on the page (used in another tab, expired)."""
    link.refresh_from_db()
    return _closed(request, link.state(), 410)


def _staff_on_device(request: HttpRequest) -> User | None:
    """A staff session the device also holds (a tablet in the office): named in the
    audit trail, never credited with the client's answers."""
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _missing(sections: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    """The questions the error summary lists and links: each one marked with an error
    (unanswered on submit, or an answer that is not an option), in page order. A link
    goes to the question's first answer, which takes focus."""
    missing: list[dict[str, Any]] = []
    for section in sections:
        for item in section["items"]:
            field = item["field"]
            if field.errors:
                missing.append(
                    {
                        "anchor": f"{field.auto_id}_0",
                        "name": f"Question {item['position']} of {total}",
                        "label": field.label,
                        "scored": True,
                    }
                )
        for field in section["extras"]:
            if field.errors:
                missing.append(
                    {
                        "anchor": f"{field.auto_id}_0",
                        "name": "One more question",
                        "label": field.label,
                        "scored": False,
                    }
                )
    return missing


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
    # The link is the key: whoever holds it answers as the client.
    actor = Actor.client_on_link(client_ip(request))
    staff = _staff_on_device(request)
    if request.method == "POST" and form.is_valid():
        answers = form.answers_by_code()
        try:
            if "save" in request.POST:
                link, alerts = link_services.link_save_draft(
                    actor=actor, link=link, draft=answers, staff_on_device=staff
                )
                saved = True
                crisis = bool(alerts)
                form = AnswerForm(instruments, saved=link.draft)
            else:
                # A refused submit still stores what was given and raises any
                # alert (link_submit); IncompleteError says what is missing.
                _, alerts = link_services.link_submit(
                    actor=actor, link=link, answers=answers, staff_on_device=staff
                )
                return render(
                    request,
                    "measures/thanks.html",
                    {"alerts": bool(alerts)},
                )
        except link_services.IncompleteError as exc:
            form.mark_missing(exc.missing)
            crisis = bool(exc.alerts)
        except link_services.LinkClosedError:
            return _closed_now(request, link)
        except services.MeasureError as exc:
            form.add_error(None, str(exc))
    if request.method == "GET":
        link_services.link_open_log(actor=actor, link=link, staff_on_device=staff)
    answered = form.answered_count()
    sections = form.sections()
    missing = _missing(sections, form.total_items)
    return render(
        request,
        "measures/answer.html",
        {
            "form": form,
            "sections": sections,
            "answered": answered,
            "total": form.total_items,
            "saved": saved,
            "crisis": crisis,
            "expires": local_long(link.expires_at),
            "missing": missing,
            "missing_count": sum(1 for m in missing if m["scored"]),
        },
    )
