"""The inbox's flag: which requests of a page may be the same person as another live
request or a client the user may see (two queries, compiled once).

The inbox only flags a row (the request page names the matches: intake.queries'
`duplicate_flags`), so it reads, of each candidate, what the comparison needs and no
more, as tuples, and for the scopes a user has on nearly every view (the whole practice;
a therapist's own requests and clients) from SQL compiled once per process
(common.prepared): built with the ORM on each view, the two reads were a third of the
inbox's work at 10,000 clients (issue 14). A therapist holding emergency access sees
clients the ORM works out: theirs go through the ORM, as before. Which rows it flags is
the same as `duplicate_flags` (intake/tests/test_inbox_flags.py compares them).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from accounts.models import User
from clients.models import Client
from clients.queries import all_clients, assigned_to, clients_visible_to, visible_shape
from common.prepared import Prepared
from intake.inbox_page import sees_every_request
from intake.models import AppointmentRequest, name_key
from intake.queries import Key, Wanted, client_candidates, matching, request_candidates

# (id, e-mail, phone digits, name key) of a request; (id, e-mail, phone digits, last
# name, first name) of a client.
RequestRow = tuple[int, str, str, str]
ClientRow = tuple[int, str, str, str, str]
REQUEST_COLUMNS = ("id", "email", "phone_digits", "name_key")
CLIENT_COLUMNS = ("id", "email", "phone_digits", "last_name", "first_name")


def _requests(
    scope: QuerySet[AppointmentRequest], emails: str, digits: str, keys: str
) -> QuerySet[AppointmentRequest, RequestRow]:
    found = request_candidates(scope, emails=emails, digits=digits, keys=keys)
    return found.order_by().values_list(*REQUEST_COLUMNS)  # a flag needs no order


@Prepared
def _practice_requests(
    *, emails: str, digits: str, keys: str
) -> QuerySet[AppointmentRequest, RequestRow]:
    return _requests(AppointmentRequest.objects.all(), emails, digits, keys)


@Prepared
def _own_requests(
    *, emails: str, digits: str, keys: str, therapist: int
) -> QuerySet[AppointmentRequest, RequestRow]:
    scope = AppointmentRequest.objects.filter(assigned_to_id=therapist)
    return _requests(scope, emails, digits, keys)


def _clients(
    scope: QuerySet[Client], names: str, emails: str, digits: str
) -> QuerySet[Client, ClientRow]:
    found = client_candidates(scope, names=names, emails=emails, digits=digits)
    return found.order_by().values_list(*CLIENT_COLUMNS)


@Prepared
def _practice_clients(*, names: str, emails: str, digits: str) -> QuerySet[Client, ClientRow]:
    return _clients(all_clients(), names, emails, digits)


@Prepared
def _own_clients(
    *, names: str, emails: str, digits: str, therapist: int
) -> QuerySet[Client, ClientRow]:
    return _clients(assigned_to(therapist), names, emails, digits)


def request_rows(user: User, wanted: Wanted) -> list[RequestRow]:
    """The candidates among the requests the inbox shows `user` (intake.inbox_page's
    `requests_for`: all of them, or a therapist's own)."""
    args = {"emails": wanted.emails, "digits": wanted.digits, "keys": wanted.keys}
    if sees_every_request(user):
        return _practice_requests(**args)
    return _own_requests(**args, therapist=user.pk)


def client_rows(user: User, wanted: Wanted) -> list[ClientRow]:
    """The candidates among the clients `user` may see (`clients_visible_to`)."""
    args = {"names": wanted.names, "emails": wanted.emails, "digits": wanted.digits}
    shape = visible_shape(user)
    if shape == "all":
        return _practice_clients(**args)
    if shape == "own":
        return _own_clients(**args, therapist=user.pk)
    return list(_clients(clients_visible_to(user), **args))


def possible_duplicates(appts: Sequence[AppointmentRequest], user: User) -> set[int]:
    """The requests of `appts` that may be the same person as another live request or a
    client `user` may see (two queries)."""
    if not appts:
        return set()
    wanted = Wanted.of(appts)
    flagged: set[int] = set()
    requests = request_rows(user, wanted)
    keys: list[Key] = [(email, digits, key) for _pk, email, digits, key in requests]
    for appt, _i, _why in matching(appts, keys, lambda a, i: requests[i][0] == a.pk):
        flagged.add(appt.pk)
    clients = client_rows(user, wanted)
    keys = [(email, digits, name_key(first, last)) for _pk, email, digits, last, first in clients]
    for appt, _i, _why in matching(appts, keys, lambda a, i: clients[i][0] == a.client_id):
        flagged.add(appt.pk)
    return flagged
