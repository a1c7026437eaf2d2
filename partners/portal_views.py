"""The partner portal: a prescriber's view of the referrals to their organisation.

A prescriber sees only referrals to their own partner (partners.access answers
404 for anything else), only while the client's release of information to it is in
force (else "access ended", with nothing of the referral), and of each only what
the referral shares: never the client record, and never a link into the practice's
/staff/ pages. Each page that shows a referral writes the disclosure to the
accounting (partners.Disclosure).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from accounts.access import PARTNER_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from audit.services import log_action
from clients.models import Client
from common.plugins import plugins
from common.prepared import Prepared
from common.reversing import Reverser
from common.rows import day, rows
from common.sections import CountedPaginator, counted, first_rows_query
from common.sections import first_rows as first_rows_of
from common.template_badges import status_badge
from common.template_dates import date as date_filter
from partners import services
from partners.access import (
    RELEASE_ID,
    AccessEnded,
    get_referral_for_prescriber,
    partner_id_of,
    partner_of,
    portal_page,
    referral_counts_for_prescriber,
    referrals_for_prescriber,
    shared,
)
from partners.disclosures import disclosure_list_reads, disclosure_portal_read
from partners.forms import CloseForm, EvaluateForm, ScheduleForm
from partners.home_rows import waiting_rows
from partners.models import DisclosureKind, Referral, ReferralStatus, Step
from partners.portal_panels import render_portal_panels
from partners.prescreen import flagged, prescreen_rows
from partners.queries import referral_events

PAGE_SIZE = 25
SHOW = {"open": "Open", "closed": "Closed", "all": "All"}
# At most this many rows in each section of the home page; the count says how many.
HOME_LIMIT = 10
# The referral statuses where the practice waits on the prescriber: schedule the
# evaluation, give its result, or evaluate again after the practice's answer.
WAITING_FOR_PRESCRIBER = (
    ReferralStatus.SENT,
    ReferralStatus.SCHEDULED,
    ReferralStatus.INFO_PROVIDED,
)


@dataclass
class HomeSection:
    """One section of the portal home above the referral list.

    The partners app makes "waiting for you"; other apps add theirs through
    settings.PATHWAYS_PORTAL_HOME_SECTIONS, each `f(request) -> HomeSection | None`,
    read through their own access helper (the release in force now). `referrals`
    are the referrals of the rows shown, each read with its release
    (partners.access.RELEASE_ID), for the accounting of disclosures. `rows_html`, when a
    section gives it, is its rows already written (each an `<li>`, common.rows: ten rows
    through `row_template` were a fifth of the home's work, issue 14); else each row is
    written through `row_template`.
    """

    key: str
    title: str
    empty: str
    row_template: str
    rows: list[Any] = field(default_factory=list)
    count: int = 0
    more_url: str = ""
    referrals: list[Referral] = field(default_factory=list)
    rows_html: SafeString = field(default_factory=SafeString)

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)


def first_rows(qs: Any) -> tuple[list[Any], int]:
    """The first HOME_LIMIT rows of `qs` and its count (common.sections.first_rows)."""
    return first_rows_of(qs, HOME_LIMIT)


def referral_of(row: Any, referral: Referral) -> Referral:
    """`referral`, carrying the release id its row was read under (for the accounting)."""
    setattr(referral, RELEASE_ID, getattr(row, RELEASE_ID))
    return referral


# What the portal home shows of a referral (portal/home.html, portal/_home_waiting.html)
# and what its accounting of disclosures records (the ids). The whole referral (its
# reason, diagnoses, medications and allergies) and its partner cost the home's
# sections and list half as much again to build and read (issue 14); the referral's
# own page reads them. Anything else loads on its own query per row
# (partners/tests/test_portal_home.py counts them).
HOME_FIELDS = (
    "client_id",
    "partner_id",
    "status",
    "sent_at",
    "evaluation_at",
    "client__date_of_birth",
    *Client.name_fields("client__"),
)


def home_referrals(request: AuthedRequest) -> QuerySet[Referral]:
    """The referrals of referrals_for_prescriber, with only HOME_FIELDS read."""
    qs = referrals_for_prescriber(request).select_related(None).select_related("client")
    return qs.only(*HOME_FIELDS)


# The section, compiled once (common.prepared): the query of `home_referrals` for the
# prescriber's organisation, waiting, oldest first.
@Prepared
def _waiting(*, partner: int) -> QuerySet[Referral]:
    qs = shared(Referral.objects.filter(partner_id=partner)).select_related("client")
    waiting = qs.only(*HOME_FIELDS).filter(status__in=WAITING_FOR_PRESCRIBER)
    return first_rows_query(waiting.order_by("sent_at", "id"), HOME_LIMIT)  # type: ignore[no-any-return]


def waiting_section(request: AuthedRequest) -> HomeSection:
    partner_id = partner_id_of(request.user)
    rows, count = counted(_waiting(partner=partner_id)) if partner_id is not None else ([], 0)
    return HomeSection(
        "waiting",
        "Referrals waiting for you",
        "No referral is waiting for you.",
        "portal/_home_waiting.html",
        rows,
        count,
        referrals=rows,
        rows_html=waiting_rows(rows),
    )


def home_sections(request: AuthedRequest) -> list[HomeSection]:
    sections = [waiting_section(request)]
    for provider in plugins("PATHWAYS_PORTAL_HOME_SECTIONS"):
        section = provider(request)
        if section is not None:
            sections.append(section)
    return sections


@require_GET
@role_required(*PARTNER_ROLES)
def home(request: AuthedRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    if show not in SHOW:
        show = "open"
    qs = home_referrals(request).order_by("-sent_at", "-id")
    if show == "open":
        qs = qs.exclude(status=ReferralStatus.CLOSED)
    elif show == "closed":
        qs = qs.filter(status=ReferralStatus.CLOSED)
    # The list's count and the ended one (referrals whose release ended are counted,
    # never shown), read together.
    counts = referral_counts_for_prescriber(request)
    shown_count = {"open": counts.open, "closed": counts.closed}.get(
        show, counts.open + counts.closed
    )
    page = CountedPaginator(qs, PAGE_SIZE, count=shown_count).get_page(request.GET.get("page"))
    ended = counts.ended
    partner = partner_of(request.user)
    sections = home_sections(request) if partner is not None else []
    shown = {referral.pk: referral for referral in page}
    for section in sections:
        shown.update((referral.pk, referral) for referral in section.referrals)
    actor = actor_from(request)
    with transaction.atomic():
        detail: dict[str, Any] = {
            "page": page.number,
            "count": len(page),
            "show": show,
            "ended": ended,
        }
        # The home's sections: their row ids (no names), and counts.
        for section in sections:
            detail[section.key] = [row.pk for row in section.rows]
            detail[f"{section.key}_count"] = section.count
        log_action(actor, "referral.list", detail=detail)
        disclosure_list_reads(actor=actor, referrals=shown.values())
    context = {
        "sections": sections,
        "today": timezone.localdate(),
        "partner": partner,
        "ended": ended,
        "page": page,
        "rows": referral_rows(page),
        "show": show,
        "show_choices": SHOW.items(),
        "query": f"show={show}",
    }
    return render(request, "portal/home.html", context)


# One referral of the list (common.rows: a page's rows through the template were a
# tenth of the home's work at 10,000 clients, issue 14).
REFERRAL_ROW = """
    <tr>
      <td>{sent}</td>
      <td><a href="{url}">{name}</a></td>
      <td>{born}</td>
      <td>{badge}</td>
      <td>{evaluation}</td>
    </tr>
  """


def referral_rows(referrals: Iterable[Referral]) -> SafeString:
    url = Reverser()  # the URLconf read once for the page's links
    return rows(
        REFERRAL_ROW,
        (
            {
                "sent": day(referral.sent_at),
                "url": url("portal:referral", referral.pk),
                "name": referral.client.full_name,
                "born": day(referral.client.date_of_birth) or "Not recorded",
                "badge": status_badge(referral),
                "evaluation": date_filter(referral.evaluation_at, "Y-m-d H:i T") or "—",
            }
            for referral in referrals
        ),
    )


def _rx_url(referral: Referral, panels: list[SafeString]) -> str:
    """A link to write a prescription on an eligible referral, if that page exists.

    The prescriptions app adds the page, and a portal panel that carries the link
    under its own rules (one active prescription at a time…). When that panel is
    shown, this link would only repeat it, so it is left out.
    """
    if referral.status != ReferralStatus.ELIGIBLE or panels:
        return ""
    try:
        return reverse("portal_rx:new", args=[referral.pk])
    except NoReverseMatch:
        return ""


def _context(request: AuthedRequest, referral: Referral, **forms: Any) -> dict[str, Any]:
    allowed = referral.allowed_steps()
    initial = {}
    if referral.evaluation_at:
        initial["evaluation_at"] = referral.evaluation_at
    panels = render_portal_panels(request, referral)
    return {
        "referral": referral,
        "client": referral.client,
        "events": referral_events(referral),
        "prescreen_rows": prescreen_rows(referral.prescreen),
        "flagged": flagged(referral.prescreen),
        "can_schedule": Step.SCHEDULED in allowed,
        "can_evaluate": Step.ELIGIBLE in allowed,
        "can_close": Step.CLOSED in allowed,
        "schedule_form": forms.get("schedule_form")
        or ScheduleForm(prefix="schedule", initial=initial),
        "evaluate_form": forms.get("evaluate_form") or EvaluateForm(prefix="evaluate"),
        "close_form": forms.get("close_form") or CloseForm(prefix="close"),
        "panels": panels,
        "rx_url": _rx_url(referral, panels),
    }


def _show(request: AuthedRequest, referral: Referral, **forms: Any) -> HttpResponse:
    """The referral page: reading it is audited and written to the accounting."""
    actor = actor_from(request)
    with transaction.atomic():
        log_action(actor, "referral.view", referral, client=referral.client)
        disclosure_portal_read(
            actor=actor,
            referral=referral,
            read=referral,
            kind=DisclosureKind.REFERRAL,
            object_ids={"referral": referral.pk},
        )
    return render(request, "portal/referral.html", _context(request, referral, **forms))


@require_GET
@role_required(*PARTNER_ROLES)
@portal_page
def referral_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_prescriber(request, pk)
    return _show(request, referral)


def _show_errors(request: AuthedRequest, referral: Referral, **forms: Any) -> HttpResponse:
    # The page again, with the message beside the field and the typed text kept.
    return _show(request, referral, **forms)


def _done(request: AuthedRequest, referral: Referral) -> HttpResponse:
    return redirect("portal:referral", referral.pk)


@require_POST
@role_required(*PARTNER_ROLES)
@portal_page
def referral_schedule(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_prescriber(request, pk)
    form = ScheduleForm(request.POST, prefix="schedule")
    if not form.is_valid():
        return _show_errors(request, referral, schedule_form=form)
    try:
        services.referral_step(
            actor=actor_from(request),
            referral=referral,
            step=Step.SCHEDULED,
            evaluation_at=form.cleaned_data["evaluation_at"],
        )
    except services.ReleaseEnded:
        # Revoked while the page was open: audited by the service.
        raise AccessEnded(referral.pk) from None
    except services.ReferralError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Evaluation scheduled. The practice has been told.")
    return _done(request, referral)


@require_POST
@role_required(*PARTNER_ROLES)
@portal_page
def referral_evaluate(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_prescriber(request, pk)
    form = EvaluateForm(request.POST, prefix="evaluate")
    if not form.is_valid():
        return _show_errors(request, referral, evaluate_form=form)
    step = form.cleaned_data["result"]
    try:
        services.referral_step(
            actor=actor_from(request), referral=referral, step=step, text=form.text()
        )
    except services.ReleaseEnded:
        # Revoked while the page was open: audited by the service.
        raise AccessEnded(referral.pk) from None
    except services.ReferralError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Evaluation recorded. The practice has been told.")
    return _done(request, referral)


@require_POST
@role_required(*PARTNER_ROLES)
@portal_page
def referral_close(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_prescriber(request, pk)
    form = CloseForm(request.POST, prefix="close")
    if not form.is_valid():
        return _show_errors(request, referral, close_form=form)
    try:
        services.referral_step(
            actor=actor_from(request),
            referral=referral,
            step=Step.CLOSED,
            text=form.cleaned_data["text"],
        )
    except services.ReleaseEnded:
        # Revoked while the page was open: audited by the service.
        raise AccessEnded(referral.pk) from None
    except services.ReferralError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Referral closed. The practice has been told.")
    return _done(request, referral)
