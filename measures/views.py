"""Staff views for measures: send a link, enter a paper form, a course's schedule,
and the client's responses.

Sending is open to CLIENT_ROLES (admin, intake, therapist): intake staff send the
baseline questionnaires while a client is being taken on, and a link only asks the
client questions; it changes nothing clinical. The schedule of a course is a
clinical decision: CLINICAL_ROLES, like the course itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import CLIENT_ROLES, CLINICAL_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from audit.services import log_action
from clients.access import get_client_for_user
from clients.models import Client
from common.qr import qr_svg
from common.timefmt import local_long
from measures import paper as paper_entry
from measures import services
from measures.alerts.queries import describe
from measures.forms import PaperForm, ScheduleForm, SendForm
from measures.models import Instrument, MeasureLink, MeasureSchedule, Reason, Response
from measures.outcomes.panels import render_measure_panels
from measures.schedule import ScheduleTerms, schedule_save
from measures.scoring import ScoringError
from treatment.access import get_course_for_user


def _link_created(
    request: AuthedRequest, client: Client, link: MeasureLink, token: str, back: str
) -> HttpResponse:
    # No e-mail: show the link in this response, once. It is never put in a
    # redirect URL, a message or a log, and cannot be shown again.
    return render(
        request,
        "measures/link_created.html",
        {
            "client": client,
            "link": services.answer_url(token),
            "qr": qr_svg(services.answer_url(token), label="QR code of the questionnaire link"),
            "expires": local_long(link.expires_at),
            "instruments": services.instruments_for(link.instruments),
            "back": back,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*CLIENT_ROLES)
def send(request: AuthedRequest, client_id: int) -> HttpResponse:
    actor = actor_from(request)
    client = get_client_for_user(request, client_id)
    form = SendForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            link, token = services.link_send(
                actor=actor, client=client, codes=form.cleaned_data["instruments"]
            )
        except services.MeasureError as exc:
            form.add_error(exc.field, str(exc))
        else:
            if client.email:
                messages.success(
                    request,
                    "The questionnaire link was sent to the client's e-mail. It expires "
                    f"{local_long(link.expires_at)}.",
                )
                return redirect("measures:client", client_id=client.pk)
            return _link_created(
                request, client, link, token, reverse("measures:client", args=[client.pk])
            )
    log_action(actor, "client.view", client, client=client, detail={"page": "measures:send"})
    return render(request, "measures/send.html", {"client": client, "form": form})


@require_http_methods(["GET", "POST"])
@role_required(*CLIENT_ROLES)
def paper(request: AuthedRequest, client_id: int, code: str) -> HttpResponse:
    actor = actor_from(request)
    client = get_client_for_user(request, client_id)
    instrument = Instrument.objects.filter(code=code).first()
    if instrument is None:
        raise Http404
    form = PaperForm(
        [instrument],
        request.POST if request.method == "POST" else None,
        record_opened=client.created_at,
    )
    if request.method == "POST" and form.is_valid():
        try:
            response, alerts = paper_entry.paper_record(
                actor=actor,
                client=client,
                instrument=instrument,
                answers=form.answers_by_code()[instrument.code],
                answered_on=form.cleaned_data["answered_on"],
            )
        except ScoringError:
            form.add_error(None, "These answers could not be scored; check each item.")
        except services.MeasureError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(
                request,
                f"{instrument.short_name} entered from the paper form: total {response.total} "
                f"({response.band_label}).",
            )
            if alerts:
                # Whoever typed it in may be the only person who has seen the answer
                # yet: say plainly that an alert went out and what it asks for.
                described = "; ".join(describe(alert) for alert in alerts)
                messages.warning(
                    request,
                    f"A safety alert was raised: {described}. The client's therapist and "
                    "the on-call clinician (or, if there are none, the practice admins) were "
                    "e-mailed. It needs same-day follow-up and stays on the dashboard until "
                    "a clinician acknowledges it.",
                )
            return redirect("measures:client", client_id=client.pk)
    if request.method == "POST" and not form.is_valid() and hasattr(form, "cleaned_data"):
        # Incomplete, but a safety answer cannot wait for the missing items.
        typed = form.answers_by_code()[instrument.code]
        try:
            kept = paper_entry.paper_partial_save(
                actor=actor, client=client, instrument=instrument, answers=typed
            )
        except services.MeasureError as exc:
            form.add_error(exc.field, str(exc))
            kept = []
        if kept:
            described = "; ".join(describe(alert) for alert in kept)
            messages.warning(
                request,
                f"A safety alert was raised: {described}. The answers typed so far were kept "
                "for it and the clinicians were e-mailed; the form itself is stored once every "
                "item is entered.",
            )
    log_action(actor, "client.view", client, client=client, detail={"page": "measures:paper"})
    return render(
        request,
        "measures/paper.html",
        {"client": client, "instrument": instrument, "form": form},
    )


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL_ROLES)
def schedule(request: AuthedRequest, course_id: int) -> HttpResponse:
    actor = actor_from(request)
    course = get_course_for_user(request, course_id)
    existing = MeasureSchedule.objects.filter(course=course).first()
    form = ScheduleForm(request.POST if request.method == "POST" else None, instance=existing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        terms = ScheduleTerms(
            instruments=tuple(data["instruments"]),
            at_intake=data["at_intake"],
            before_dosing=data["before_dosing"],
            at_integration=data["at_integration"],
            monthly_after=data["monthly_after"],
        )
        try:
            _, baseline = schedule_save(actor=actor, course=course, terms=terms)
        except services.MeasureError as exc:
            form.add_error(exc.field, str(exc))
        else:
            back = course.get_absolute_url()
            if baseline is not None and not course.client.email:
                link, token = baseline
                return _link_created(request, course.client, link, token, back)
            text = "Measure schedule saved."
            if baseline is not None:
                text += " The baseline questionnaires were sent to the client's e-mail."
            messages.success(request, text)
            return redirect(course)
    log_action(
        actor, "course.view", course, client=course.client, detail={"page": "measures:schedule"}
    )
    return render(
        request,
        "measures/schedule.html",
        {"course": course, "client": course.client, "form": form, "existing": existing},
    )


@require_GET
@role_required(*CLIENT_ROLES)
def client(request: AuthedRequest, client_id: int) -> HttpResponse:
    the_client = get_client_for_user(request, client_id)
    responses = list(
        Response.objects.filter(client=the_client).select_related(
            "instrument", "link", "entered_by"
        )
    )
    now = timezone.now()
    # Paper drafts (measures/paper.py) were never sent: not listed as links.
    links = list(MeasureLink.objects.filter(client=the_client).exclude(reason=Reason.PAPER)[:20])
    log_action(
        actor_from(request),
        "measure.list",
        the_client,
        client=the_client,
        detail={"responses": len(responses)},
    )
    context: dict[str, Any] = {
        "client": the_client,
        "responses": responses,
        "links": [(link, link.state(now)) for link in links],
        "instruments": Instrument.objects.order_by("short_name"),
        # The outcome charts, compact (none when there are no scores yet).
        "extra_panels": render_measure_panels(request, the_client),
        "reasons": dict(Reason.choices),
    }
    return render(request, "measures/client.html", context)
