"""Referrals, the practice's side: refer a client, follow the thread, answer, close."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import CLIENT_ROLES, CLINICAL_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from audit.services import log_action
from clients.access import get_client_for_user
from clients.models import Client
from common.timefmt import local_day_hm_zone
from consents.models import ConsentKind, SignedConsent
from consents.queries import release_in_force
from partners import services
from partners.access import get_referral_for_staff
from partners.disclosures import disclosures_for_client
from partners.forms import AnswerForm, CloseForm, ReferralForm
from partners.models import Partner, Referral, Step
from partners.prescreen import flagged, prescreen_rows
from partners.queries import referral_snapshot


def _partners_with_release(client: Client) -> list[Partner]:
    partner_ids = (
        SignedConsent.objects.in_force()
        .filter(client=client, document__kind=ConsentKind.ROI, partner__isnull=False)
        .values_list("partner_id", flat=True)
    )
    return list(Partner.objects.filter(active=True, pk__in=partner_ids))


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL_ROLES)
def referral_new(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    form = ReferralForm(client, request.POST if request.method == "POST" else None)
    actor = actor_from(request)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_send(
                actor=actor,
                client=client,
                partner=data["partner"],
                reason=data["reason"],
                prescreen=form.prescreen(),
                prescreen_notes=data["prescreen_notes"],
            )
        except services.ReferralError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, f"Referral sent to {referral.partner.name}.")
            return redirect(referral)
    # The page shows what the referral would share: a read of the record.
    log_action(actor, "referral.prepare", client, client=client)
    context = {
        "client": client,
        "form": form,
        "shared": referral_snapshot(client),
        "with_release": _partners_with_release(client),
    }
    return render(request, "partners/new.html", context)


def _detail_context(request: AuthedRequest, referral: Referral, **forms: Any) -> dict[str, Any]:
    allowed = referral.allowed_steps()
    can_act = request.user.has_role(*CLINICAL_ROLES)
    # Nothing more goes to the partner once the release is revoked (the service
    # refuses it too): the page says so instead of offering the answer.
    shared = release_in_force(referral.client, referral.partner_id) is not None
    context: dict[str, Any] = {
        "referral": referral,
        "client": referral.client,
        "events": referral.events.select_related("by__partner_membership__partner"),
        "prescreen_rows": prescreen_rows(referral.prescreen),
        "flagged": flagged(referral.prescreen),
        "release_in_force": shared,
        "release_ended_message": services.release_ended_message(referral.partner),
        "can_answer": can_act and shared and Step.ANSWER in allowed,
        "can_close": can_act and Step.CLOSED in allowed,
        "answer_form": forms.get("answer_form") or AnswerForm(prefix="answer"),
        "close_form": forms.get("close_form") or CloseForm(prefix="close"),
    }
    return context


@require_GET
@role_required(*CLIENT_ROLES)
def referral_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_staff(request, pk)
    log_action(actor_from(request), "referral.view", referral, client=referral.client)
    return render(request, "partners/referral.html", _detail_context(request, referral))


def _step(
    request: AuthedRequest, referral: Referral, step: str, text: str, done: str
) -> HttpResponse:
    try:
        services.referral_step(actor=actor_from(request), referral=referral, step=step, text=text)
    except services.ReferralError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(referral)


def _show_errors(request: AuthedRequest, referral: Referral, **forms: Any) -> HttpResponse:
    # The page again, with the message beside the field and the typed text kept.
    log_action(actor_from(request), "referral.view", referral, client=referral.client)
    return render(request, "partners/referral.html", _detail_context(request, referral, **forms))


@require_POST
@role_required(*CLINICAL_ROLES)
def referral_answer(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_staff(request, pk)
    form = AnswerForm(request.POST, prefix="answer")
    if not form.is_valid():
        return _show_errors(request, referral, answer_form=form)
    text = form.cleaned_data["text"]
    return _step(request, referral, Step.ANSWER, text, "Answer sent to the prescriber.")


@require_POST
@role_required(*CLINICAL_ROLES)
def referral_close(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_staff(request, pk)
    form = CloseForm(request.POST, prefix="close")
    if not form.is_valid():
        return _show_errors(request, referral, close_form=form)
    return _step(request, referral, Step.CLOSED, form.cleaned_data["text"], "Referral closed.")


DISCLOSURES_PAGE_SIZE = 50


@require_GET
@role_required(*CLIENT_ROLES)
def disclosures(request: AuthedRequest, client_id: int) -> HttpResponse:
    """The accounting of the client's disclosures: what, when, to whom, by whom, why,
    under which release and how (to partners, and the FHIR exports downloaded from the
    chart). Ids and kinds only, no free text."""
    client = get_client_for_user(request, client_id)
    page = Paginator(disclosures_for_client(client), DISCLOSURES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    log_action(
        actor_from(request),
        "disclosure.list",
        client,
        client=client,
        detail={"page": page.number, "count": len(page)},
    )
    rows = [
        {
            "at": local_day_hm_zone(d.at),
            "recipient": d.recipient,
            "what": d.get_kind_display(),
            "ids": ", ".join(f"{key} #{value}" for key, value in sorted(d.object_ids.items())),
            "how": d.get_channel_display(),
            "purpose": d.get_purpose_display(),
            "by": d.by.get_full_name() or d.by.get_username(),
            "release": d.release,
        }
        for d in page
    ]
    context = {"client": client, "page": page, "rows": rows}
    return render(request, "partners/disclosures.html", context)
