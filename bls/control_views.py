"""The record's control of a BLS display (bls-protocol.md, "HTTP"): pairing a display
by its code, ending the pairing, and the short report form for the set just run.

Only the record's therapist (`bls.pairing.therapist_of`) may use them: another role is
refused by `role_required` (403), another therapist, or a therapist who is not this
record's, gets 404, audited. The commands themselves travel over the WebSocket
(bls.consumers); these views tell the display what happened through the channel layer.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import AuthedRequest, role_required
from accounts.actor import actor_from
from accounts.models import Role
from audit.services import log_action
from bls import pairing, queries, services
from bls.access import get_record_for_user
from bls.consumers import control_group, layer_send, relay
from bls.forms import SetReportForm
from bls.models import DesensitisationSet, DisplayPairing, EmdrRecord
from bls.views import _anchor, _context, _is_htmx
from common.forms import values_of


def _record_to_control(request: AuthedRequest, pk: int, what: str) -> EmdrRecord:
    """The record, if this user is its therapist; 404 (audited) otherwise."""
    record = get_record_for_user(request, pk)
    if not pairing.may_control(request.user, record):
        pairing.refuse(
            actor=actor_from(request), record=record, action=f"emdr.{what}_refused", why="role"
        )
        raise Http404
    return record


def _panel(
    request: AuthedRequest, record: EmdrRecord, found: DisplayPairing | None, **extra: Any
) -> HttpResponse:
    """The control panel (htmx), or the record at its BLS section."""
    if not _is_htmx(request):
        return _anchor(record, "bls")
    context = {"record": record, "pairing": found, "can_control": True, **extra}
    return render(request, "bls/_control.html", context)


@require_POST
@role_required(Role.THERAPIST)
def display_pair(request: AuthedRequest, pk: int) -> HttpResponse:
    record = _record_to_control(request, pk, "display_pair")
    code = request.POST.get("code", "")[:20]
    try:
        paired = pairing.pairing_pair(actor=actor_from(request), record=record, code=code)
    except pairing.PairingError as exc:
        context = {"pair_error": str(exc), "code": code}
        if not _is_htmx(request):
            page = _context(request, record, pairing=None)
            page.update(context)
            return render(request, "bls/record.html", page)
        return _panel(request, record, queries.active_pairing(record, request.user), **context)
    found = paired.pairing
    # The display learns it is paired, and the token it reconnects with (never stored).
    layer_send(
        {"type": "bls.paired", "pairing": found.pk, "resume": paired.resume_token},
        channel=found.display_channel,
    )
    return _panel(request, record, found)


@require_POST
@role_required(Role.THERAPIST)
def display_end(request: AuthedRequest, pk: int) -> HttpResponse:
    record = _record_to_control(request, pk, "display_control")
    found = queries.active_pairing(record, request.user)
    if found is not None:
        ended = pairing.pairing_end(actor=actor_from(request), pairing=found)
        layer_send({"type": "bls.ended", "pairing": ended.pk}, channel=ended.display_channel)
        layer_send(relay({"type": "display", "state": "ended"}), group=control_group(ended.pk))
    return _panel(request, record, None)


@require_http_methods(["GET", "POST"])
@role_required(Role.THERAPIST)
def set_report(request: AuthedRequest, pk: int, number: int) -> HttpResponse:
    """The short form for the set just run: the client's report, SUD, interweave."""
    record = _record_to_control(request, pk, "set_report")
    entry = get_object_or_404(DesensitisationSet, record=record, number=number)
    actor = actor_from(request)
    if request.method == "GET":
        log_action(actor, "emdr.view", record, client=record.client, detail={"set": entry.pk})
        form = SetReportForm(
            initial={
                "client_report": entry.client_report,
                "sud": entry.sud,
                "interweave": entry.interweave,
            }
        )
        return _report_form(request, record, entry, form)
    form = SetReportForm(request.POST)
    if form.is_valid():
        try:
            report = values_of(services.SetReport, form.cleaned_data)
            services.set_report_save(actor=actor, entry=entry, report=report)
        except services.EmdrError as exc:
            form.refused(exc)
    if not form.is_valid():
        log_action(actor, "emdr.view", record, client=record.client, detail={"set": entry.pk})
        return _report_form(request, record, entry, form)
    if not _is_htmx(request):
        return _anchor(record, "sets")
    context = _context(request, record)
    context.update(oob=True)
    html = render_to_string("bls/_sets.html", context, request=request)
    html += render_to_string("bls/_timeline.html", context, request=request)
    return HttpResponse(html)


def _report_form(
    request: AuthedRequest, record: EmdrRecord, entry: DesensitisationSet, form: SetReportForm
) -> HttpResponse:
    context = {"record": record, "entry": entry, "form": form}
    template = "bls/_set_report.html" if _is_htmx(request) else "bls/set_report.html"
    return render(request, template, context)
