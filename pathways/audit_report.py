"""The audit report for the practice admin, at /staff/audit/: the trail filtered by
period, user, client and action, a page at a time, and its CSV export.

It lives in the project package, not in the audit app, because it finds a client by
the name typed (clients.search, clients.queries) and the audit app sits below
clients. Viewing the report and exporting it are audited themselves
("audit.report.view", "audit.report.export"), with the filters as ids and dates:
never the name typed. The export takes data out of the system, so it needs a
re-authentication within the last REAUTH_MINUTES (accounts.reauth).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from accounts.access import AuthedRequest, role_required
from accounts.actor import actor_from
from accounts.models import Role, User
from accounts.reauth import reauth_required
from audit.models import AuditEvent
from audit.paging import CappedPaginator, actions_in_use
from audit.services import log_action
from clients.models import Client
from clients.queries import clients_visible_to
from clients.search import search_clients
from common.replica import reads_from_replica
from common.rows import rows, value
from common.timefmt import local_day_hm

PAGE_SIZE = 50
# The trail starts with the practice's use of Pathways; nothing in it is older.
EARLIEST = dt.date(2020, 1, 1)
# Without a period, the report shows the last DEFAULT_DAYS days.
DEFAULT_DAYS = 30
# A client name may match a few records; more than this and the name is too vague.
MAX_CLIENT_MATCHES = 20


class ReportForm(forms.Form):
    start = forms.DateField(label="From", required=False, help_text="YYYY-MM-DD")
    end = forms.DateField(label="To (inclusive)", required=False, help_text="YYYY-MM-DD")
    user = forms.CharField(label="User", required=False, max_length=150, help_text="Username")
    client = forms.CharField(
        label="Client", required=False, max_length=100, help_text="The client's name"
    )
    action = forms.CharField(
        label="Action",
        required=False,
        max_length=64,
        help_text='An action, or the start of one ("dosing." for every dosing action)',
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            self.fields[name].widget = forms.DateInput(
                attrs={"type": "date", "min": EARLIEST.isoformat(), "max": _today().isoformat()}
            )

    def _bounded(self, name: str) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get(name)
        if day is not None and not EARLIEST <= day <= _today():
            raise forms.ValidationError(
                f"Enter a date from {EARLIEST:%Y-%m-%d} to today ({_today():%Y-%m-%d})."
            )
        return day

    def clean_start(self) -> dt.date | None:
        return self._bounded("start")

    def clean_end(self) -> dt.date | None:
        return self._bounded("end")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end of the period is before its start.")
        return data


def _today() -> dt.date:
    return timezone.localdate()


def _midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in the practice's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    user: str
    client_ids: tuple[int, ...] | None  # None: any client
    action: str

    def audit_detail(self) -> dict[str, Any]:
        """The filters as the trail keeps them: dates, a username, ids; no name typed."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "user": self.user,
            "clients": list(self.client_ids) if self.client_ids is not None else None,
            "action": self.action,
        }


def _filters(request: AuthedRequest, form: ReportForm) -> Filters | None:
    """The filters of a valid form (None when it is not), the client's name resolved to
    the ids of the records it matches; a message beside the field when it matches none
    or too many."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    end = data["end"] or _today()
    start = data["start"] or min(end, _today() - dt.timedelta(days=DEFAULT_DAYS))
    client_ids: tuple[int, ...] | None = None
    if data["client"].strip():
        matches = search_clients(clients_visible_to(request.user), data["client"])
        client_ids = tuple(
            matches.order_by("pk").values_list("pk", flat=True)[: MAX_CLIENT_MATCHES + 1]
        )
        if not client_ids:
            form.add_error("client", "No client has that name.")
            return None
        if len(client_ids) > MAX_CLIENT_MATCHES:
            form.add_error("client", "That name matches too many clients: type more of it.")
            return None
    return Filters(start, end, data["user"].strip(), client_ids, data["action"].strip())


def filtered(filters: Filters) -> QuerySet[AuditEvent]:
    """The entries the filters name, newest first. Each filter is an equality or an IN
    on an indexed column, so that an index (audit.models, Meta) finds the rows in
    order: the username typed is matched case-insensitively against the users (a
    small table) rather than against every entry, and the start of an action against
    the actions in use (a few dozen) rather than with a LIKE, which no index serves
    on SQLite."""
    qs = AuditEvent.objects.filter(
        at__gte=_midnight(filters.start), at__lt=_midnight(filters.end + dt.timedelta(days=1))
    )
    if filters.user:
        names = {filters.user, *_usernames_like(filters.user)}
        qs = qs.filter(actor_username__in=sorted(names))
    if filters.client_ids is not None:
        qs = qs.filter(client_id__in=filters.client_ids)
    if filters.action:
        qs = qs.filter(action__in=[a for a in actions_in_use() if a.startswith(filters.action)])
    return qs.order_by("-at", "-id")


def _usernames_like(typed: str) -> list[str]:
    return list(User.objects.filter(username__iexact=typed).values_list("username", flat=True))


def _query(form: ReportForm) -> str:
    """The filters as typed, for the pagination and export links."""
    keys = ("start", "end", "user", "client", "action")
    return urlencode({k: form.data[k] for k in keys if form.data.get(k)})


@require_GET
@role_required(Role.ADMIN)
@reads_from_replica
def report(request: AuthedRequest) -> HttpResponse:
    form = ReportForm(request.GET or None)
    if not form.is_bound:
        form = ReportForm({})
    filters = _filters(request, form)
    page = None
    names: dict[int, str] = {}
    if filters is not None:
        page = CappedPaginator(filtered(filters), PAGE_SIZE).get_page(request.GET.get("page"))
        ids = {e.client_id for e in page if e.client_id is not None}
        names = {c.pk: f"{c.last_name}, {c.first_name}" for c in Client.objects.filter(pk__in=ids)}
    detail: dict[str, Any] = {"valid": filters is not None}
    if filters is not None and page is not None:
        detail |= {"filters": filters.audit_detail(), "page": page.number, "count": len(page)}
    log_action(actor_from(request), "audit.report.view", detail=detail)
    context = {
        "form": form,
        "page": page,
        "rows": _rows(page or [], names),
        "query": _query(form) if filters is not None else "",
        "filters": filters,
    }
    return render(request, "audit/report.html", context)


# One entry of the list (common.rows: the page's 50 rows through the template were half
# of the report's work at a million entries, issue 14).
ROW = """
  <tr><td class="num">{pk}</td><td class="nowrap">{when}</td><td>{user}</td><td>{action}</td>
    <td>{object}</td>
    <td>{client}</td>
    <td>{ip}</td><td><code>{detail}</code></td></tr>
  """


def _rows(events: Iterable[AuditEvent], names: dict[int, str]) -> SafeString:
    return rows(
        ROW,
        (
            {
                "pk": e.pk,
                "when": local_day_hm(e.at),
                "user": e.actor_username or "—",
                "action": e.action,
                "object": f"{e.object_type} {e.object_id}" if e.object_type else "—",
                "client": _client_cell(e.client_id, names) if e.client_id else "—",
                "ip": e.ip or "—",
                "detail": e.detail,
            }
            for e in events
        ),
    )


def _client_cell(client_id: int, names: dict[int, str]) -> SafeString:
    name = value(names.get(client_id) or "(removed)")
    return mark_safe(f"{name} <small>#{client_id}</small>")  # noqa: S308  (escaped: value)


CSV_COLUMNS = (
    "id",
    "at_utc",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "client_id",
    "ip",
    "detail",
    "hash",
)


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(qs: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for e in qs.iterator(chunk_size=2000):
        at = e.at.astimezone(dt.UTC).isoformat(timespec="seconds")
        detail = json.dumps(e.detail, sort_keys=True)
        values = (e.pk, at, e.actor_username, e.action, e.object_type, e.object_id)
        yield writer.writerow([_cell(v) for v in (*values, e.client_id, e.ip, detail, e.hash)])


@require_GET
@role_required(Role.ADMIN)
@reauth_required
@reads_from_replica
def export(request: AuthedRequest) -> HttpResponse:
    form = ReportForm(request.GET or {})
    filters = _filters(request, form)
    if filters is None:
        # The export link comes from a valid report: show the report with the errors.
        return report(request)
    qs = filtered(filters)
    log_action(
        actor_from(request),
        "audit.report.export",
        detail={"filters": filters.audit_detail(), "count": qs.count()},
    )
    response = StreamingHttpResponse(_csv_rows(qs), content_type="text/csv; charset=utf-8")
    name = f"pathways-audit-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response  # type: ignore[return-value]  # a streamed CSV is an HTTP response too


app_name = "audit"
urlpatterns = [
    path("", report, name="report"),
    path("export.csv", export, name="export"),
]
