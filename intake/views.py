"""The staff request inbox and contact messages."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import ALL_RECORDS_ROLES, INBOX_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from audit.services import log_action
from clients.access import clients_for_user
from clients.models import Client
from intake import services
from intake.forms import (
    INBOX_FILTERS,
    AssignForm,
    InboxFilterForm,
    NoteForm,
    StatusForm,
    blank_inbox_filters,
)
from intake.inbox_flags import possible_duplicates
from intake.inbox_page import PAGE_SIZE, inbox_page, requests_for
from intake.models import AppointmentRequest, ContactMessage, RequestStatus
from intake.queries import Match, duplicate_flags
from intake.rows import DUPLICATE_BADGE, inbox_rows, sent_again_badge


def _requests_for_user(request: AuthedRequest) -> QuerySet[AppointmentRequest]:
    return requests_for(request.user)


def _get_request_for_user(request: AuthedRequest, pk: int) -> AppointmentRequest:
    return get_object_or_404(_requests_for_user(request), pk=pk)


def _day_start(day: date, *, end: bool = False) -> datetime:
    tz = timezone.get_current_timezone()
    return datetime.combine(day, time.max if end else time.min, tzinfo=tz)


@require_GET
@role_required(*INBOX_ROLES)
def inbox(request: AuthedRequest) -> HttpResponse:
    # No filter asked for (a page number alone is no filter): the blank form, as kept.
    form = InboxFilterForm(request.GET) if any(f in request.GET for f in INBOX_FILTERS) else None
    qs = _requests_for_user(request)
    filtered = False
    if form is not None and form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["service"]:
            qs = qs.filter(service=data["service"])
        if data["received_from"]:
            qs = qs.filter(created_at__gte=_day_start(data["received_from"]))
        if data["received_to"]:
            qs = qs.filter(created_at__lte=_day_start(data["received_to"], end=True))
        filtered = any(data.values())
    # Only what the rows show and the duplicate check compares (INBOX_FIELDS): not the
    # reason (free text, encrypted, never shown here), nor the whole service and user.
    page = inbox_page(request.user, qs, request.GET.get("page"), filtered=filtered)
    rows = list(page)
    # Two queries for the whole page, whatever its length, over the requests and the
    # clients this user sees (intake.inbox_flags).
    flagged = possible_duplicates(rows, request.user)
    log_action(
        actor_from(request), "request.list", detail={"page": page.number, "count": len(page)}
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "intake/inbox.html",
        {
            "filters": form.render() if form is not None else blank_inbox_filters(),
            "page": page,
            "rows": inbox_rows(rows, flagged),
            "query": query.urlencode(),
        },
    )


@require_GET
@role_required(*INBOX_ROLES)
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    appt = _get_request_for_user(request, pk)
    return _audited_page(request, appt)


def _audited_page(
    request: AuthedRequest, appt: AppointmentRequest, **extra: object
) -> HttpResponse:
    """The request page, audited as a read; the possible duplicates it names (clients and
    other requests) are counted in the entry, never named."""
    context = _detail_context(request, appt, **extra)
    matches = cast("list[Match]", context["matches"])
    detail = (
        {
            "possible_duplicates": {
                "clients": sum(m.is_client for m in matches),
                "requests": sum(not m.is_client for m in matches),
            }
        }
        if matches
        else None
    )
    log_action(actor_from(request), "request.view", appt, client=appt.client, detail=detail)
    return render(request, "intake/request_detail.html", context)


def _detail_context(
    request: AuthedRequest, appt: AppointmentRequest, **extra: object
) -> dict[str, object]:
    can_manage = request.user.role in ALL_RECORDS_ROLES
    matches = duplicate_flags([appt], _requests_for_user(request), clients_for_user(request))[
        appt.pk
    ]
    context: dict[str, object] = {
        "appt": appt,
        "can_manage": can_manage,
        "forward": appt.forward_transitions(),
        "matches": matches,
        "duplicate_badge": DUPLICATE_BADGE,
        "sent_again_badge": sent_again_badge(appt.sent_again_count),
        "client_matches": [m for m in matches if m.is_client],
        # Merge into the first one the person sent: an earlier, live request.
        "merge_targets": [
            m
            for m in matches
            if not m.is_client and m.record.created_at <= appt.created_at and appt.can_merge()
        ],
        "merged_requests": appt.merged_requests.all(),
        "assign_form": AssignForm(initial={"clinician": appt.assigned_to_id}),
        "note_form": NoteForm(),
        "notes": appt.notes.select_related("author"),
        "changes": appt.status_changes.select_related("changed_by"),
    }
    context.update(extra)
    return context


def _confirmed(request: AuthedRequest) -> bool:
    """The second, explicit button of templates/includes/confirm.html was pressed."""
    return request.POST.get("confirm") == "yes"


def _show_again(
    request: AuthedRequest, appt: AppointmentRequest, **errors: object
) -> HttpResponse:
    """The request page again, with the refused form open, its message beside the field
    and what was typed kept (a read like any other, so audited)."""
    log_action(actor_from(request), "request.view", appt, client=appt.client)
    return render(request, "intake/request_detail.html", _detail_context(request, appt, **errors))


NOT_CONFIRMED = "Press the confirm button to go ahead; nothing has changed."


@require_POST
@role_required(*ALL_RECORDS_ROLES)
def request_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The forward moves (contacted, scheduled, reopen): one button each, nothing
    pre-selected. Declining and marking as spam have their own confirms."""
    appt = _get_request_for_user(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the buttons to move the request on.")
        return redirect(appt)
    try:
        services.request_set_status(
            actor=actor_from(request), appt=appt, status=form.cleaned_data["status"]
        )
    except services.IntakeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Status updated.")
    return redirect(appt)


@require_POST
@role_required(*ALL_RECORDS_ROLES)
def request_decline(request: AuthedRequest, pk: int) -> HttpResponse:
    """Decline, after the confirm, with the reason (required, kept in the history)."""
    appt = _get_request_for_user(request, pk)
    reason = request.POST.get("reason", "")
    if not _confirmed(request):
        return _show_again(request, appt, decline_error=NOT_CONFIRMED, decline_reason=reason)
    try:
        services.request_set_status(
            actor=actor_from(request), appt=appt, status=RequestStatus.DECLINED, reason=reason
        )
    except services.IntakeError as exc:
        return _show_again(request, appt, decline_error=str(exc), decline_reason=reason)
    messages.success(request, "Request declined. The reason is in the status history.")
    return redirect(appt)


@require_POST
@role_required(*ALL_RECORDS_ROLES)
def request_spam(request: AuthedRequest, pk: int) -> HttpResponse:
    appt = _get_request_for_user(request, pk)
    if not _confirmed(request):
        return _show_again(request, appt, spam_error=NOT_CONFIRMED)
    try:
        services.request_set_status(
            actor=actor_from(request), appt=appt, status=RequestStatus.SPAM
        )
    except services.IntakeError as exc:
        return _show_again(request, appt, spam_error=str(exc))
    messages.success(request, "Marked as spam. “Reopen” brings it back.")
    return redirect(appt)


@require_POST
@role_required(*ALL_RECORDS_ROLES)
def request_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    appt = _get_request_for_user(request, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a clinician from the list.")
        return redirect(appt)
    try:
        services.request_assign(
            actor=actor_from(request), appt=appt, clinician=form.cleaned_data["clinician"]
        )
    except services.IntakeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Assignment saved.")
    return redirect(appt)


@require_POST
@role_required(*INBOX_ROLES)
def request_note(request: AuthedRequest, pk: int) -> HttpResponse:
    appt = _get_request_for_user(request, pk)
    form = NoteForm(request.POST)
    actor = actor_from(request)
    if form.is_valid():
        try:
            services.request_add_note(actor=actor, appt=appt, body=form.cleaned_data["body"])
        except services.IntakeError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            form = NoteForm()
    if form.is_bound:
        # The reply shows the request again, so it is a read like any other.
        log_action(actor, "request.view", appt, client=appt.client)
    if request.htmx:  # type: ignore[attr-defined]  # set by django_htmx's middleware
        # Swap just the notes panel; the rest of the page stays as it was.
        context = _detail_context(request, appt, note_form=form)
        return render(request, "intake/_notes.html", context)
    if form.is_bound:
        # Without JavaScript, show the page again with the error and the typed text.
        context = _detail_context(request, appt, note_form=form)
        return render(request, "intake/request_detail.html", context, status=200)
    messages.success(request, "Note added.")
    return redirect(appt)


@require_POST
@role_required(*ALL_RECORDS_ROLES)
def request_convert(request: AuthedRequest, pk: int) -> HttpResponse:
    """Create the client, after the confirm. With possible duplicates, a second choice:
    `existing` is "new" (with a reason) or the id of one of the matching clients."""
    appt = _get_request_for_user(request, pk)
    choice = request.POST.get("existing", "")
    reason = request.POST.get("reason", "")
    kept = {"convert_choice": choice, "convert_reason": reason}
    if not _confirmed(request):
        return _show_again(request, appt, convert_error=NOT_CONFIRMED, **kept)
    if not appt.can_convert():
        messages.error(request, "Only a scheduled request with no client yet can be converted.")
        return redirect(appt)
    matches = duplicate_flags([appt], _requests_for_user(request), clients_for_user(request))[
        appt.pk
    ]
    matching = {str(m.record.pk): m.record for m in matches if m.is_client}
    existing = matching.get(choice)
    if matches and choice != "new" and existing is None:
        error = (
            "This person may already be known: choose one of the clients, or a new client."
            if matching
            else "This person may have sent another request: choose “Create a new client "
            "anyway”, or merge the requests first."
        )
        return _show_again(request, appt, convert_choice_error=error, **kept)
    try:
        client = services.request_convert(
            actor=actor_from(request),
            appt=appt,
            existing=existing if isinstance(existing, Client) else None,
            reason=reason,
        )
    except services.IntakeError as exc:
        if exc.field not in ("reason", "existing"):
            # Not about the choices made (already converted, not scheduled): say so.
            messages.error(request, str(exc))
            return redirect(appt)
        key = "convert_reason_error" if exc.field == "reason" else "convert_choice_error"
        return _show_again(request, appt, **{key: str(exc)}, **kept)
    if existing is not None:
        messages.success(request, f"Request linked to {client.full_name}'s record.")
    else:
        messages.success(request, f"Client record created for {client.full_name}.")
    return redirect(client)


@require_POST
@role_required(*ALL_RECORDS_ROLES)
def request_merge(request: AuthedRequest, pk: int) -> HttpResponse:
    """Merge this request into the first one the same person sent (`into`)."""
    appt = _get_request_for_user(request, pk)
    into_id = request.POST.get("into", "")
    if not _confirmed(request):
        return _show_again(request, appt, merge_error=NOT_CONFIRMED)
    into = (
        _requests_for_user(request).filter(pk=int(into_id)).first() if into_id.isdigit() else None
    )
    if into is None:
        return _show_again(request, appt, merge_error="Choose a request to merge into.")
    try:
        first = services.request_merge(actor=actor_from(request), appt=appt, into=into)
    except services.IntakeError as exc:
        return _show_again(request, appt, merge_error=str(exc))
    messages.success(
        request, f"Request #{appt.pk} merged into this one; its answers and notes are below."
    )
    return redirect(first)


def _get_message_for_user(request: AuthedRequest, pk: int) -> ContactMessage:
    if request.user.role not in ALL_RECORDS_ROLES:
        raise Http404
    return get_object_or_404(ContactMessage, pk=pk)


@require_GET
@role_required(*ALL_RECORDS_ROLES)
def message_list(request: AuthedRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    qs = ContactMessage.objects.all()
    if show != "all":
        qs = qs.filter(handled_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    log_action(
        actor_from(request), "message.list", detail={"page": page.number, "count": len(page)}
    )
    return render(request, "intake/messages.html", {"page": page, "show": show})


@require_GET
@role_required(*ALL_RECORDS_ROLES)
def message_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    message = _get_message_for_user(request, pk)
    log_action(actor_from(request), "message.view", message)
    return render(request, "intake/message_detail.html", {"message": message})


@require_POST
@role_required(*ALL_RECORDS_ROLES)
def message_handled(request: AuthedRequest, pk: int) -> HttpResponse:
    message = _get_message_for_user(request, pk)
    services.message_mark_handled(actor=actor_from(request), message=message)
    messages.success(request, "Marked as handled.")
    return redirect("intake:messages")
