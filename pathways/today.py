"""The Today view's reads: what a practice user has to act on today.

The staff home (pathways.views.dashboard) shows one section per kind of work, each
with its count and an empty state. A therapist sees their own work (the appointments
they run, the notes of their clients' sessions, their clients' consents, measures and
referrals); the practice admin and the intake coordinator see the practice's. Safety
alerts reach every clinician whoever the client's therapist is
(measures.alerts.queries).

The number of queries is bounded whatever the number of rows: each section is one
query for its first LIMIT rows, plus one count when there are more
(pathways/tests/test_today_queries.py).

It lives in the project package, the top layer, because it reads most apps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.access import ALL_RECORDS_ROLES, CLIENT_ROLES, CLINICAL_ROLES
from accounts.models import Role, User
from clients.models import Client
from clients.queries import assigned_to, clients_visible_to, granted_client_ids
from common.onetime import LinkState
from common.prepared import Prepared
from common.reversing import reverse_numbered
from common.sections import counted, first_rows, first_rows_query
from consents.models import ConsentRequest
from dosing.models import SessionNote
from intake.models import AppointmentRequest, ContactMessage, RequestStatus
from measures.alerts.queries import dashboard_alerts
from measures.models import MeasureLink, Reason
from partners.models import Referral, ReferralStatus
from scheduling.models import Appointment

# At most this many rows per section; the count says how many there are in all.
LIMIT = 10
# A measure link that expired unanswered stays "overdue" this long (unless a newer
# link of the same reason was sent since).
OVERDUE_DAYS = 30
# The referral statuses where the practice has to act: the prescriber asked a question.
PRACTICE_TO_ACT = (ReferralStatus.NEEDS_INFO,)


@dataclass
class Section:
    """One section of the page: its rows (at most LIMIT) and how many there are."""

    key: str
    title: str
    empty: str
    rows: list[Any] = field(default_factory=list)
    count: int = 0
    more_url: str = ""

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)


def day_span(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The practice-local day as an aware [start, end)."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


# --- Appointments -------------------------------------------------------------


@dataclass(frozen=True)
class TodayAppointment:
    appointment: Appointment
    url: str
    way_in: str


def _way_in(appointment: Appointment, user: User) -> tuple[str, str]:
    """The one click into the appointment: its dosing record when the session has
    one (clinicians only), else the session page, else the appointment page."""
    session = appointment.session
    if session is not None:
        record = getattr(session, "dosing_record", None)
        if record is not None and user.role in CLINICAL_ROLES:
            return reverse_numbered("dosing:record", record.pk), "Open the dosing record"
        return reverse_numbered("treatment:session", session.pk), "Open the session"
    return reverse_numbered("scheduling:appointment", appointment.pk), "Open the appointment"


def todays_appointments_qs(user: User, day: dt.date | None = None) -> QuerySet[Appointment]:
    """Today's appointments: a therapist's own (they are the clinician), the
    practice's for intake and admin."""
    start, end = day_span(day or timezone.localdate())
    qs = Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
    if user.role not in ALL_RECORDS_ROLES:
        qs = qs.filter(clinician=user)
    return qs


# What the appointments' table shows (pathways/today_rows.py) and their way in
# (_way_in) reads: the rest of the five rows joined, some 70 columns, cost as much again
# to build and read on every staff member's Today page (issue 14). Anything else of them
# loads on its own query (the query-count tests catch one per row).
APPOINTMENT_FIELDS = (
    "starts_at",
    "ends_at",
    "type",
    "status",
    "room__name",
    "session__dosing_record__id",
    *Client.name_fields("client__"),
    *User.display_name_fields("clinician__"),
)


def _for_the_table(qs: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return (
        qs.select_related("client", "clinician", "room", "session__dosing_record")
        .only(*APPOINTMENT_FIELDS)
        .order_by("starts_at", "pk")
    )


# Compiled once (common.prepared): every staff member's Today page reads its day.
@Prepared
def _clinicians_day(
    *, clinician: int, start: dt.datetime, end: dt.datetime
) -> QuerySet[Appointment]:
    day = Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
    return _for_the_table(day.filter(clinician_id=clinician))


@Prepared
def _practices_day(*, start: dt.datetime, end: dt.datetime) -> QuerySet[Appointment]:
    return _for_the_table(Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end))


def todays_appointments(user: User, day: dt.date | None = None) -> list[TodayAppointment]:
    """Today's appointments in time order, each with its way in (those of
    `todays_appointments_qs`). A day has few: all are shown."""
    start, end = day_span(day or timezone.localdate())
    if user.role in ALL_RECORDS_ROLES:
        found = _practices_day(start=start, end=end)
    else:
        found = _clinicians_day(clinician=user.pk, start=start, end=end)
    return [TodayAppointment(a, *_way_in(a, user)) for a in found]


# --- Per-client work ----------------------------------------------------------


def _mine(user: User, qs: QuerySet[Any], client_path: str = "client") -> QuerySet[Any]:
    """`qs` narrowed to the clients the user may see (clients.queries; a therapist:
    their own and those under emergency access). Admin and intake see them all."""
    if user.role in ALL_RECORDS_ROLES:
        return qs
    return qs.filter(**{f"{client_path}__in": clients_visible_to(user).values("pk")})


# What each section's row shows (pathways.today_sections) and the measures' state
# (MeasureRow) reads, and nothing else: building and compiling a query costs the ORM in
# proportion to its columns even when it finds no row, and these run on every clinician's
# Today page (issue 14). A field a row shows but its tuple leaves out loads on a query
# of its own per row: pathways/tests/test_today_queries.py fails then.
NOTE_FIELDS = (
    "updated_at",
    "session__started_at",
    "session__planned_date",
    "session__dosing_record__id",
    *Client.name_fields("session__course__client__"),
    *User.display_name_fields("author__"),
)
CONSENT_FIELDS = ("created_at", "expires_at", "document__title", *Client.name_fields("client__"))
MEASURE_FIELDS = (
    "reason",
    "created_at",
    "expires_at",
    "used_at",
    "cancelled_at",
    *Client.name_fields("client__"),
)
REFERRAL_FIELDS = ("status", "updated_at", "partner__name", *Client.name_fields("client__"))


def _notes() -> QuerySet[SessionNote]:
    return (
        SessionNote.objects.filter(signed_at=None)
        .select_related("session__course__client", "session__dosing_record", "author")
        .only(*NOTE_FIELDS)
        .order_by("updated_at", "pk")
    )


def notes_to_sign(user: User) -> QuerySet[SessionNote]:
    """Unsigned dosing-session notes: a therapist's (their clients', or written by
    them), the practice's for the admin, oldest first."""
    qs = _notes()
    if user.role in ALL_RECORDS_ROLES:
        return qs
    visible = clients_visible_to(user).values("pk")
    return qs.filter(Q(author=user) | Q(session__course__client__in=visible))


def _consents(now: dt.datetime | None = None) -> QuerySet[ConsentRequest]:
    return (
        ConsentRequest.objects.open(now)
        .select_related("client", "document")
        .only(*CONSENT_FIELDS)
        .order_by("expires_at", "pk")
    )


def consents_waiting(user: User) -> QuerySet[ConsentRequest]:
    """Consent requests sent and not signed yet (still open), soonest to expire first."""
    return _mine(user, _consents())


def measures_due(user: User, now: dt.datetime | None = None) -> QuerySet[MeasureLink]:
    """Measure links sent and not answered: open ("due"), or expired unanswered in
    the last OVERDUE_DAYS with no newer link of the same reason ("overdue")."""
    now = now or timezone.now()
    return _mine(user, _measures(now, now - dt.timedelta(days=OVERDUE_DAYS)))


def _measures(now: dt.datetime, since: dt.datetime) -> QuerySet[MeasureLink]:
    newer = MeasureLink.objects.filter(
        client=OuterRef("client"),
        reason=OuterRef("reason"),
        created_at__gt=OuterRef("created_at"),
    )
    overdue = Q(expires_at__lte=now, expires_at__gt=since)
    return (
        MeasureLink.objects.filter(used_at=None, cancelled_at=None)
        .exclude(reason=Reason.PAPER)
        .filter(Q(expires_at__gt=now) | (overdue & ~Exists(newer)))
        .select_related("client")
        .only(*MEASURE_FIELDS)
        .order_by("expires_at", "pk")
    )


def _referrals() -> QuerySet[Referral]:
    return (
        Referral.objects.filter(status__in=PRACTICE_TO_ACT)
        .select_related("client", "partner")
        .only(*REFERRAL_FIELDS)
        .order_by("updated_at", "pk")
    )


def referrals_waiting(user: User) -> QuerySet[Referral]:
    """Referrals where the prescriber waits on the practice (PRACTICE_TO_ACT)."""
    return _mine(user, _referrals())


# A therapist's sections without emergency access (nearly every Today page: a grant
# changes the shape of `clients_visible_to`, and then the ORM builds them), compiled
# once (common.prepared). Each is `first_rows_query` of the function above for such a
# therapist (pathways/tests/test_today_prepared.py compares the SQL).
def _own(user: int) -> QuerySet[Client, Any]:
    return assigned_to(user).values("pk")


@Prepared
def _own_notes(*, user: int) -> QuerySet[SessionNote]:
    mine = Q(author_id=user) | Q(session__course__client__in=_own(user))
    return first_rows_query(_notes().filter(mine), LIMIT)  # type: ignore[no-any-return]


@Prepared
def _own_consents(*, user: int, now: dt.datetime) -> QuerySet[ConsentRequest]:
    return first_rows_query(_consents(now).filter(client__in=_own(user)), LIMIT)  # type: ignore[no-any-return]


@Prepared
def _own_measures(*, user: int, now: dt.datetime, since: dt.datetime) -> QuerySet[MeasureLink]:
    links = _measures(now, since).filter(client__in=_own(user))
    return first_rows_query(links, LIMIT)  # type: ignore[no-any-return]


@Prepared
def _own_referrals(*, user: int) -> QuerySet[Referral]:
    return first_rows_query(_referrals().filter(client__in=_own(user)), LIMIT)  # type: ignore[no-any-return]


def _therapists(user: User, now: dt.datetime) -> tuple[list[Any], ...] | None:
    """The rows of a therapist's four sections, or None for anyone else."""
    if user.role != Role.THERAPIST or granted_client_ids(user):
        return None
    since = now - dt.timedelta(days=OVERDUE_DAYS)
    return (
        _own_notes(user=user.pk),
        _own_consents(user=user.pk, now=now),
        _own_measures(user=user.pk, now=now, since=since),
        _own_referrals(user=user.pk),
    )


def new_requests() -> QuerySet[AppointmentRequest]:
    return (
        AppointmentRequest.objects.filter(status=RequestStatus.NEW)
        .select_related("service")
        .only("pk", "first_name", "last_name", "status", "created_at", "service", "service__title")
        .order_by("created_at", "pk")
    )


def open_messages() -> QuerySet[ContactMessage]:
    return (
        ContactMessage.objects.filter(handled_at=None)
        .only("pk", "name", "created_at", "handled_at")
        .order_by("created_at", "pk")
    )


# --- The page -----------------------------------------------------------------


@dataclass
class Today:
    day: dt.date
    appointments: list[TodayAppointment]
    sections: list[Section]

    def ids(self) -> dict[str, Any]:
        """What the audit entry holds: ids and counts, never a name."""
        detail: dict[str, Any] = {
            "appointments": [row.appointment.pk for row in self.appointments],
        }
        for section in self.sections:
            detail[section.key] = [row.pk for row in section.rows]
            if section.more:
                detail[f"{section.key}_count"] = section.count
        return detail

    @property
    def total(self) -> int:
        return len(self.appointments) + sum(s.count for s in self.sections)


def _section(
    key: str, title: str, empty: str, qs: QuerySet[Any] | list[Any], more_url: str = ""
) -> Section:
    """A section of `qs`'s first rows, or of the rows of `first_rows_query` (a list)."""
    rows, count = counted(qs) if isinstance(qs, list) else first_rows(qs, LIMIT)
    return Section(key, title, empty, rows, count, more_url)


@dataclass(frozen=True)
class MeasureRow:
    link: MeasureLink
    state: str  # "due" or "overdue"

    @property
    def pk(self) -> int:
        return self.link.pk


def _state(link: MeasureLink, now: dt.datetime) -> str:
    return "overdue" if link.state(now) == LinkState.EXPIRED else "due"


def today_for(user: User) -> Today:
    """Everything the user's Today page shows, by role."""
    now = timezone.now()
    day = timezone.localdate(now)
    sections: list[Section] = []
    if user.role in CLIENT_ROLES:
        alerts = dashboard_alerts(user)
        sections.append(
            Section(
                "alerts",
                "Safety alerts needing same-day follow-up",
                "No open safety alerts.",
                alerts,
                len(alerts),
                reverse("alerts:list"),
            )
        )
    prepared = _therapists(user, now)
    if user.role in CLINICAL_ROLES:
        notes = prepared[0] if prepared else notes_to_sign(user)
        sections.append(
            _section("notes", "Notes to sign", "No notes waiting to be signed.", notes)
        )
    if user.role in CLIENT_ROLES:
        consents = prepared[1] if prepared else consents_waiting(user)
        measures = prepared[2] if prepared else measures_due(user, now)
        referrals = prepared[3] if prepared else referrals_waiting(user)
        sections += [
            _section("consents", "Consents sent, not signed", "No consents waiting.", consents),
            _section("measures", "Measures due or overdue", "No measures waiting.", measures),
            _section(
                "referrals",
                "Referrals waiting on the practice",
                "No referral is waiting on the practice.",
                referrals,
            ),
        ]
        sections[-2].rows = [MeasureRow(link, _state(link, now)) for link in sections[-2].rows]
    if user.role in ALL_RECORDS_ROLES:
        sections += [
            _section(
                "requests",
                "New requests",
                "No new requests.",
                new_requests(),
                reverse("intake:inbox") + "?status=new",
            ),
            _section(
                "messages",
                "Open messages",
                "No open messages.",
                open_messages(),
                reverse("intake:messages"),
            ),
        ]
    return Today(day, todays_appointments(user, day), sections)
