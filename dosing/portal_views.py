"""The session summary a prescriber reads in the partner portal.

Only for records dosed against a prescription on a referral to the prescriber's
own organisation (404 otherwise), while the client's release of information to it
is in force ("access ended" otherwise); each reading is written to the accounting
of disclosures. It holds the dose, the vitals, any adverse
events and the discharge: not the note, nor the pre-dose conversation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from accounts.access import PARTNER_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from audit.services import log_action
from clients.models import Client
from common.prepared import Prepared
from common.reversing import reverse_numbered
from common.rows import rows
from common.sections import counted, first_rows_query
from common.template_badges import status_badge
from common.template_dates import date as date_filter
from dosing.access import get_record_for_prescriber
from dosing.models import Discharge
from dosing.summary import administrations, timeline_chart, vitals_rows
from partners.access import partner_id_of, portal_page, shared
from partners.disclosures import disclosure_list_reads, disclosure_portal_read
from partners.models import DisclosureKind
from partners.portal_views import HOME_LIMIT, HomeSection, referral_of
from treatment.models import SessionKind, SessionStatus, TreatmentSession


@require_GET
@role_required(*PARTNER_ROLES)
@portal_page
def summary(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_prescriber(request, pk)
    client = record.session.course.client
    referral = record.prescription.referral
    actor = actor_from(request)
    with transaction.atomic():
        log_action(
            actor,
            "dosing.summary.view",
            record,
            client=client,
            detail={"referral": referral.pk},
        )
        disclosure_portal_read(
            actor=actor,
            referral=referral,
            read=record,
            kind=DisclosureKind.SESSION_SUMMARY,
            object_ids={"record": record.pk, "referral": referral.pk},
        )
    context = {
        "record": record,
        "session": record.session,
        "client": client,
        "rx": record.prescription,
        "referral": record.prescription.referral,
        "given": administrations(record),
        "rows": vitals_rows(record),
        "events": record.adverse_events.all(),
        "discharge": Discharge.objects.filter(record=record).first(),
        "chart": timeline_chart(record),
    }
    return render(request, "dosing/portal_summary.html", context)


# --- The prescriber's list of sessions, and the portal home's section ------------

PAGE_SIZE = 25
# Where a session's referral is, for partners.access.shared.
SESSION_REFERRAL = "prescription__referral__"
# When a session happens: started, else its appointment, else its planned day.
WHEN = Coalesce("started_at", "appointment__starts_at")


def sessions_for_prescriber(request: AuthedRequest) -> QuerySet[TreatmentSession]:
    """The dosing sessions dosed (or to be dosed) against a prescription on a referral
    to the prescriber's organisation, not cancelled, while the client's release to it
    is in force (partners.access.shared, as dosing.access does for the records)."""
    partner_id = partner_id_of(request.user)
    if partner_id is None:
        return TreatmentSession.objects.none()
    return _sessions_of(partner_id)


def _sessions_of(partner_id: int) -> QuerySet[TreatmentSession]:
    qs = (
        TreatmentSession.objects.filter(
            kind=SessionKind.DOSING, prescription__referral__partner_id=partner_id
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("course__client", "prescription__referral", "dosing_record", "appointment")
        .annotate(when=WHEN)
    )
    return shared(qs, SESSION_REFERRAL)


def week_bounds(today: dt.date) -> tuple[dt.datetime, dt.datetime, dt.date]:
    """The week of `today` (Monday to Sunday, the practice's days): its first moment, the
    first moment of the next (each in the practice's zone, so a week with a change of
    clocks lasts 167 or 169 hours), and its Monday."""
    monday = today - dt.timedelta(days=today.weekday())
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time.min, tzinfo=zone)
    return start, end, monday


def this_week(request: AuthedRequest) -> QuerySet[TreatmentSession]:
    """The sessions of this week, in order."""
    start, end, monday = week_bounds(timezone.localdate())
    return (
        sessions_for_prescriber(request)
        .filter(pk__in=week_session_ids(start, end, monday))
        .order_by(F("when").asc(nulls_last=True), "planned_date", "pk")
    )


def week_session_ids(
    start: dt.datetime, end: dt.datetime, monday: dt.date, next_monday: dt.date | None = None
) -> QuerySet[TreatmentSession, int]:
    """A subquery of the ids of the dosing sessions whose WHEN falls in [start, end),
    else (with no time at all) planned in the week from `monday`: three look-ups, each
    through an index of its own (started_at, the appointment's starts_at, planned_date).
    Filtering on WHEN itself reads every session of the partner, with the release
    check on each, since no index holds the Coalesce (issue 14)."""
    # order_by(): a compound statement's parts may not be ordered in a subquery.
    dosing = TreatmentSession.objects.filter(kind=SessionKind.DOSING).order_by()
    started = dosing.filter(started_at__gte=start, started_at__lt=end)
    booked = dosing.filter(
        started_at=None, appointment__starts_at__gte=start, appointment__starts_at__lt=end
    )
    planned = dosing.filter(
        started_at=None,
        appointment=None,
        planned_date__gte=monday,
        planned_date__lt=next_monday or monday + dt.timedelta(days=7),
    )
    return started.values_list("pk", flat=True).union(
        booked.values_list("pk", flat=True), planned.values_list("pk", flat=True)
    )


# What the portal home's row shows (dosing/portal_home_row.html; WHEN is computed in
# the query) and the ids its accounting of disclosures records: the whole session, its
# course, prescription, referral, record and appointment were some 120 columns to build
# and read for ten rows (issue 14); the list and the summary read them.
HOME_FIELDS = (
    "planned_date",
    "status",
    *Client.name_fields("course__client__"),
    "prescription__referral__client_id",
    "prescription__referral__partner_id",
    "dosing_record__id",
)


# The home's section, compiled once (common.prepared): the same query as
# `this_week(request)` with the home's fields, for the prescriber's organisation.
@Prepared
def _home_week(
    *,
    partner: int,
    start: dt.datetime,
    end: dt.datetime,
    monday: dt.date,
    next_monday: dt.date,
) -> QuerySet[TreatmentSession]:
    qs = (
        _sessions_of(partner)
        .filter(pk__in=week_session_ids(start, end, monday, next_monday))
        .order_by(F("when").asc(nulls_last=True), "planned_date", "pk")
        .select_related(None)
        .select_related("course__client", "prescription__referral", "dosing_record")
        .only(*HOME_FIELDS)
    )
    return first_rows_query(qs, HOME_LIMIT)  # type: ignore[no-any-return]


def home_section(request: AuthedRequest) -> HomeSection | None:
    """The portal home's "sessions this week" (settings.PATHWAYS_PORTAL_HOME_SECTIONS)."""
    partner_id = partner_id_of(request.user)
    if partner_id is None:
        return None
    start, end, monday = week_bounds(timezone.localdate())
    found = _home_week(
        partner=partner_id,
        start=start,
        end=end,
        monday=monday,
        next_monday=monday + dt.timedelta(days=7),
    )
    rows, count = counted(found)
    return HomeSection(
        "sessions",
        "Dosing sessions this week",
        "No dosing session this week.",
        "dosing/portal_home_row.html",
        rows,
        count,
        more_url=reverse("portal_dosing:list"),
        referrals=[referral_of(s, s.prescription.referral) for s in rows if s.prescription],
        rows_html=home_rows(rows),
    )


# A row of the section, as dosing/portal_home_row.html writes it (common.rows; checked
# in partners/tests/test_portal_home_rows.py).
HOME_ROW = "<li>{name}: {when}. {badge}{summary}\n</li>"
SUMMARY = '<a href="{url}">Session summary<span class="visually-hidden"> for {name}</span></a>'


def home_rows(sessions: Iterable[TreatmentSession]) -> SafeString:
    return rows(HOME_ROW, (_home_row(s) for s in sessions))


def _home_row(session: TreatmentSession) -> dict[str, Any]:
    name = session.course.client.full_name
    at = getattr(session, "when", None)  # the query's annotation
    if at:
        when = date_filter(at, "D Y-m-d H:i")
    else:
        when = f"planned {date_filter(session.planned_date, 'D Y-m-d')}"
    try:
        record = session.dosing_record
    except ObjectDoesNotExist:  # no record yet
        record = None
    summary = ""
    if record:
        url = reverse_numbered("portal_dosing:summary", record.pk)
        summary = " " + SUMMARY.format(url=escape(url), name=escape(name))
    return {
        "name": name,
        "when": when,
        "badge": status_badge(session),
        "summary": SafeString(summary),
    }


@require_GET
@role_required(*PARTNER_ROLES)
def session_list(request: AuthedRequest) -> HttpResponse:
    """Every dosing session of the organisation's referred clients whose release is in
    force now, newest first, each with its summary once its record is open."""
    qs = sessions_for_prescriber(request).order_by(
        F("when").desc(nulls_first=True), "-planned_date", "-pk"
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    actor = actor_from(request)
    with transaction.atomic():
        log_action(
            actor,
            "dosing.session_list",
            detail={"page": page.number, "count": len(page), "sessions": [s.pk for s in page]},
        )
        referrals = {
            s.prescription.referral_id: referral_of(s, s.prescription.referral)
            for s in page
            if s.prescription
        }
        disclosure_list_reads(actor=actor, referrals=referrals.values())
    return render(request, "dosing/portal_list.html", {"page": page, "query": ""})
