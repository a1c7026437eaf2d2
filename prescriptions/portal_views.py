"""The partner portal's prescription pages: prescribers write, revise and discontinue.

Only while the client's release of information to the partner is in force: the
reads go through prescriptions.access / partners.access (a revoked release answers
"access ended"), each write runs under the release, locked
(partners.disclosures.under_release), and each page shown is written to the
accounting of disclosures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import PARTNER_ROLES, AuthedRequest, role_required
from accounts.actor import Actor, actor_from
from audit.services import log_action
from clients.models import Client
from common.prepared import Prepared
from common.reversing import Reverser
from common.rows import day, rows
from common.sections import counted, first_rows_query
from common.template_badges import status_badge
from partners.access import get_referral_for_prescriber, partner_id_of, portal_page, shared
from partners.disclosures import disclosure_list_reads, disclosure_portal_read, under_release
from partners.home_rows import link
from partners.models import DisclosureKind, Referral
from partners.portal_views import HOME_LIMIT, HomeSection, referral_of
from prescriptions import services
from prescriptions.access import get_prescription_for_prescriber, prescriptions_for_prescriber
from prescriptions.forms import DiscontinueForm, PrescriptionForm, suggested_initial
from prescriptions.models import Prescription, RxStatus
from prescriptions.queries import EDITABLE_FIELDS, current_version, refusal_for
from prescriptions.views import audit_view, rx_context


def _disclose_referral(actor: Actor, referral: Referral, refused: bool) -> None:
    # The form names the client: reading it is audited and accounted for.
    with transaction.atomic():
        log_action(
            actor,
            "prescription.form",
            referral,
            client=referral.client,
            detail={"referral": referral.pk, "refused": refused},
        )
        disclosure_portal_read(
            actor=actor,
            referral=referral,
            read=referral,
            kind=DisclosureKind.REFERRAL,
            object_ids={"referral": referral.pk},
        )


def _disclose_rx(actor: Actor, rx: Prescription) -> None:
    """A prescription page shown: audited and accounted for."""
    with transaction.atomic():
        audit_view(actor, rx)
        disclosure_portal_read(
            actor=actor,
            referral=rx.referral,
            read=rx,
            kind=DisclosureKind.PRESCRIPTION,
            object_ids={"prescription": rx.pk, "referral": rx.referral_id},
        )


def _show_refusal(form: PrescriptionForm, exc: services.PrescriptionError) -> None:
    """The service's refusal: beside each field it names, else above the form."""
    for name, message in exc.errors.items():
        form.add_error(name if name in form.fields else None, message)
    if not exc.errors:
        form.add_error(None, str(exc))


@require_http_methods(["GET", "POST"])
@role_required(*PARTNER_ROLES)
@portal_page
def new(request: AuthedRequest, referral_id: int) -> HttpResponse:
    referral = get_referral_for_prescriber(request, referral_id)
    actor = actor_from(request)
    refusal = refusal_for(referral)
    form = None
    if not refusal:
        blank = Prescription(client=referral.client, referral=referral, prescriber=request.user)
        form = PrescriptionForm(
            request.POST if request.method == "POST" else None,
            initial=suggested_initial(),
            instance=blank,
        )
        if form.is_bound and form.is_valid():
            try:
                terms = form.terms()
                rx = under_release(
                    actor=actor,
                    referral=referral,
                    write=lambda release: services.prescription_write(
                        actor=actor, referral=referral, terms=terms
                    ),
                )
            except services.PrescriptionError as exc:
                # The rules changed while the form was open (say, another chain began).
                _show_refusal(form, exc)
            else:
                messages.success(request, "Prescription written (version 1).")
                return redirect("portal_rx:detail", rx.pk)
    _disclose_referral(actor, referral, bool(refusal))
    context = {"referral": referral, "form": form, "refusal": refusal}
    return render(request, "prescriptions/portal_form.html", context)


@require_GET
@role_required(*PARTNER_ROLES)
@portal_page
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    rx = get_prescription_for_prescriber(request, pk)
    _disclose_rx(actor_from(request), rx)
    context = rx_context(rx, discontinue_form=DiscontinueForm())
    return render(request, "prescriptions/portal_detail.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*PARTNER_ROLES)
@portal_page
def revise(request: AuthedRequest, pk: int) -> HttpResponse:
    rx = get_prescription_for_prescriber(request, pk)
    actor = actor_from(request)
    if rx.status != RxStatus.ACTIVE:
        messages.error(request, "Only the active version of a prescription can be revised.")
        return redirect("portal_rx:detail", current_version(rx).pk)
    blank = Prescription(client=rx.client, referral=rx.referral, prescriber=request.user)
    form = PrescriptionForm(
        request.POST if request.method == "POST" else None,
        initial=model_to_dict(rx, fields=EDITABLE_FIELDS),
        instance=blank,
        sessions_used=rx.sessions_used(),
    )
    if form.is_bound and form.is_valid():
        try:
            terms = form.terms()
            new_rx = under_release(
                actor=actor,
                referral=rx.referral,
                write=lambda release: services.prescription_revise(
                    actor=actor, prescription=rx, terms=terms
                ),
            )
        except services.PrescriptionError as exc:
            _show_refusal(form, exc)
        else:
            messages.success(request, f"Prescription revised: version {new_rx.version} is active.")
            return redirect("portal_rx:detail", new_rx.pk)
    _disclose_rx(actor, rx)
    context = {"referral": rx.referral, "form": form, "rx": rx, "refusal": ""}
    return render(request, "prescriptions/portal_form.html", context)


@require_POST
@role_required(*PARTNER_ROLES)
@portal_page
def discontinue(request: AuthedRequest, pk: int) -> HttpResponse:
    rx = get_prescription_for_prescriber(request, pk)
    form = DiscontinueForm(request.POST)
    actor = actor_from(request)
    if form.is_valid():
        try:
            reason = form.cleaned_data["reason"]
            stopped = under_release(
                actor=actor,
                referral=rx.referral,
                write=lambda release: services.prescription_discontinue(
                    actor=actor, prescription=rx, reason=reason
                ),
            )
        except services.PrescriptionError as exc:
            messages.error(request, str(exc))
            return redirect("portal_rx:detail", rx.pk)
        messages.success(request, "Prescription discontinued. The practice sees this now.")
        return redirect("portal_rx:detail", stopped.pk)
    # No GET page for this action: show the prescription again with the error.
    _disclose_rx(actor, rx)
    context = rx_context(rx, discontinue_form=form)
    return render(request, "prescriptions/portal_detail.html", context)


# --- The prescriber's list, and the portal home's section ------------------------

PAGE_SIZE = 25
SHOW = {"active": "Active", "all": "All versions"}
# The portal home lists the active prescriptions ending within this many days.
EXPIRING_DAYS = 14


def expiring(request: AuthedRequest) -> QuerySet[Prescription]:
    """The prescriber's organisation's active prescriptions whose last valid day
    (valid_to) falls in the next EXPIRING_DAYS days, soonest first; only while the
    client's release is in force (prescriptions.access)."""
    today = timezone.localdate()
    return (
        prescriptions_for_prescriber(request)
        .filter(
            status=RxStatus.ACTIVE,
            valid_to__gte=today,
            valid_to__lte=today + dt.timedelta(days=EXPIRING_DAYS),
        )
        .order_by("valid_to", "pk")
    )


# What the portal home's row shows (prescriptions/portal_home_row.html) and the ids its
# accounting of disclosures records: the prescriber, the user who discontinued and the
# referral's text, joined for the prescription's own page, cost this section as much
# again to read (issue 14).
HOME_FIELDS = (
    "medication",
    "dose_mg",
    "version",
    "valid_to",
    *Client.name_fields("client__"),
    "referral__client_id",
    "referral__partner_id",
)


# The section, compiled once (common.prepared): the query of `expiring(request)` for
# the prescriber's organisation, with the home's fields.
@Prepared
def _expiring(*, partner: int, today: dt.date, last: dt.date) -> QuerySet[Prescription]:
    qs = shared(Prescription.objects.filter(referral__partner_id=partner), "referral__")
    ending = qs.filter(status=RxStatus.ACTIVE, valid_to__gte=today, valid_to__lte=last)
    ending = ending.order_by("valid_to", "pk").select_related("client", "referral")
    return first_rows_query(ending.only(*HOME_FIELDS), HOME_LIMIT)  # type: ignore[no-any-return]


def home_section(request: AuthedRequest) -> HomeSection | None:
    """The portal home's "prescriptions expiring" (settings.PATHWAYS_PORTAL_HOME_SECTIONS)."""
    partner_id = partner_id_of(request.user)
    if partner_id is None:
        return None
    today = timezone.localdate()
    last = today + dt.timedelta(days=EXPIRING_DAYS)
    rows, count = counted(_expiring(partner=partner_id, today=today, last=last))
    return HomeSection(
        "expiring",
        f"Prescriptions ending in the next {EXPIRING_DAYS} days",
        f"No active prescription ends in the next {EXPIRING_DAYS} days.",
        "prescriptions/portal_home_row.html",
        rows,
        count,
        more_url=reverse("portal_rx:list"),
        referrals=[referral_of(rx, rx.referral) for rx in rows],
        rows_html=home_rows(rows),
    )


# A row of the section, as prescriptions/portal_home_row.html writes it (common.rows;
# checked in partners/tests/test_portal_home_rows.py).
HOME_ROW = (
    "<li>{link}: {medication} {dose} mg, version {version}, valid until"
    " <strong>{valid}</strong>. {badge}\n</li>"
)


def home_rows(prescriptions: Iterable[Prescription]) -> SafeString:
    badge = status_badge("due", "Ends soon")
    url = Reverser()  # the URLconf read once for the section's links
    return rows(
        HOME_ROW,
        (
            {
                "link": link(url("portal_rx:detail", rx.pk), rx.client.full_name),
                "medication": rx.medication,
                "dose": floatformat(rx.dose_mg, "-1"),
                "version": rx.version,
                "valid": day(rx.valid_to),
                "badge": badge,
            }
            for rx in prescriptions
        ),
    )


@require_GET
@role_required(*PARTNER_ROLES)
def prescription_list(request: AuthedRequest) -> HttpResponse:
    """The prescriptions written on referrals to the prescriber's organisation, newest
    first, of the clients whose release is in force now (the others are counted)."""
    show = request.GET.get("show", "active")
    if show not in SHOW:
        show = "active"
    qs = prescriptions_for_prescriber(request).order_by("-created_at", "-pk")
    if show == "active":
        qs = qs.filter(status=RxStatus.ACTIVE)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    actor = actor_from(request)
    with transaction.atomic():
        log_action(
            actor,
            "prescription.list",
            detail={
                "page": page.number,
                "count": len(page),
                "show": show,
                "prescriptions": [rx.pk for rx in page],
            },
        )
        referrals = {rx.referral_id: referral_of(rx, rx.referral) for rx in page}
        disclosure_list_reads(actor=actor, referrals=referrals.values())
    context = {
        "page": page,
        "show": show,
        "show_choices": SHOW.items(),
        "query": f"show={show}",
        "today": timezone.localdate(),
        "soon": timezone.localdate() + dt.timedelta(days=EXPIRING_DAYS),
    }
    return render(request, "prescriptions/portal_list.html", context)
