"""The inbox's page of requests: what it reads of each, and its first page unfiltered
(the page everyone opens) from SQL compiled once (common.prepared), the count of an
unfiltered inbox from SQL written once.

Why: building the page's query (the request with its service and clinician, fourteen
columns of three tables) was a fifth of the inbox's work at 10,000 clients once its
duplicate check was quick (issue 14). A filtered page, or a later one, is the ORM's,
as before; the rows are the same either way (the read is the queryset's own first
page: common/tests/test_prepared.py compares their SQL, intake/tests/test_inbox_page.py
the pages).
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db import connections, router
from django.db.models import QuerySet
from django.utils.functional import cached_property

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


def sees_every_request(user: User) -> bool:
    """The intake team and the admin see every request; a therapist, only those
    assigned to them (each read of the inbox follows this one rule)."""
    return user.role in ALL_RECORDS_ROLES


def _with_rows() -> QuerySet[AppointmentRequest]:
    return AppointmentRequest.objects.select_related("service", "assigned_to")


def requests_for(user: User) -> QuerySet[AppointmentRequest]:
    """The requests `user` sees in the inbox (`sees_every_request`)."""
    if sees_every_request(user):
        return _with_rows()
    return _with_rows().filter(assigned_to_id=user.pk)


@Prepared
def _practice_first_page() -> QuerySet[AppointmentRequest]:
    return _with_rows().only(*INBOX_FIELDS)[:PAGE_SIZE]


@Prepared
def _own_first_page(*, therapist: int) -> QuerySet[AppointmentRequest]:
    return _with_rows().filter(assigned_to_id=therapist).only(*INBOX_FIELDS)[:PAGE_SIZE]


_TABLE = AppointmentRequest._meta.db_table
_ASSIGNED = AppointmentRequest._meta.get_field("assigned_to").column
# Only the model's own names in the text; the therapist goes in as a parameter.
_COUNT_ALL = f'SELECT COUNT(*) FROM "{_TABLE}"'  # noqa: S608
_COUNT_OWN = f'SELECT COUNT(*) FROM "{_TABLE}" WHERE "{_ASSIGNED}" = %s'  # noqa: S608


def _unfiltered_count(user: User) -> int:
    """`requests_for(user).count()`, from SQL written once: building the ORM's count
    was a twentieth of the inbox's work (issue 14)."""
    with connections[router.db_for_read(AppointmentRequest)].cursor() as cursor:
        if sees_every_request(user):
            cursor.execute(_COUNT_ALL)
        else:
            cursor.execute(_COUNT_OWN, [user.pk])
        (count,) = cursor.fetchone()
    return int(count)


class _Counted(Paginator[AppointmentRequest]):
    """A paginator told its count."""

    def __init__(self, object_list: QuerySet[AppointmentRequest], count: int) -> None:
        super().__init__(object_list, PAGE_SIZE)
        self.known = count

    @cached_property
    def count(self) -> int:
        return self.known


def inbox_page(
    user: User, shown: QuerySet[AppointmentRequest], number: str | None, *, filtered: bool
) -> Page[AppointmentRequest]:
    """Page `number` of `shown` (`requests_for(user)`, filtered or not), its requests
    read (a list)."""
    listed = shown.only(*INBOX_FIELDS)
    paginator = (
        Paginator(listed, PAGE_SIZE) if filtered else _Counted(listed, _unfiltered_count(user))
    )
    page = paginator.get_page(number)
    if page.number == 1 and not filtered:
        if sees_every_request(user):
            page.object_list = _practice_first_page()
        else:
            page.object_list = _own_first_page(therapist=user.pk)
    else:
        page.object_list = list(page.object_list)
    return page
