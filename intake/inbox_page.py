"""The inbox's page of requests: what it reads of each, and its first page unfiltered
(the page everyone opens) from SQL compiled once (common.prepared).

Why: building the page's query (the request with its service and clinician, fourteen
columns of three tables) was a fifth of the inbox's work at 10,000 clients once its
duplicate check was quick (issue 14). A filtered page, or a later one, is the ORM's,
as before; the rows are the same either way (the read is the queryset's own first
page: common/tests/test_prepared.py compares their SQL, intake/tests/test_inbox.py
the pages).
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from accounts.access import ALL_RECORDS_ROLES
from accounts.models import User
from common.prepared import Prepared
from intake.models import AppointmentRequest

PAGE_SIZE = 25

# What the inbox reads of a request (intake.rows.inbox_rows; the duplicate check,
# intake.inbox_flags.possible_duplicates, compares the contact details and the names).
INBOX_FIELDS = (
    *("id", "created_at", "first_name", "last_name", "status", "sent_again_count"),
    *("email", "phone_digits", "name_key", "client_id"),
    *("service", "service__title", "assigned_to"),
    *User.display_name_fields("assigned_to__"),
)


def requests_for(user: User) -> QuerySet[AppointmentRequest]:
    """The requests `user` sees in the inbox: all of them for the intake team and the
    admin; a therapist, only those assigned to them."""
    qs = AppointmentRequest.objects.select_related("service", "assigned_to")
    if user.role in ALL_RECORDS_ROLES:
        return qs
    return qs.filter(assigned_to_id=user.pk)


def _first(qs: QuerySet[AppointmentRequest]) -> QuerySet[AppointmentRequest]:
    return qs.only(*INBOX_FIELDS)[:PAGE_SIZE]


@Prepared
def _practice_first_page() -> QuerySet[AppointmentRequest]:
    return _first(AppointmentRequest.objects.select_related("service", "assigned_to"))


@Prepared
def _own_first_page(*, therapist: int) -> QuerySet[AppointmentRequest]:
    scope = AppointmentRequest.objects.select_related("service", "assigned_to")
    return _first(scope.filter(assigned_to_id=therapist))


def inbox_page(
    user: User, shown: QuerySet[AppointmentRequest], number: str | None, *, filtered: bool
) -> Page[AppointmentRequest]:
    """Page `number` of `shown` (`requests_for(user)`, filtered or not), its requests
    read (a list)."""
    page = Paginator(shown.only(*INBOX_FIELDS), PAGE_SIZE).get_page(number)
    if page.number == 1 and not filtered:
        if user.role in ALL_RECORDS_ROLES:
            page.object_list = _practice_first_page()
        else:
            page.object_list = _own_first_page(therapist=user.pk)
    else:
        page.object_list = list(page.object_list)
    return page
