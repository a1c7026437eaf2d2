"""Possible duplicates: the same person sending a request twice, or already a client.

A request matches another request, or a client, on the same e-mail (case aside), the
same phone (its digits only), or the same name (case and accents aside). A request
carries no date of birth, so the name is compared alone: the flag says "possible",
and the person at the inbox decides. Each function runs a fixed number of queries for
a whole page of requests, never one per row.

The caller passes the requests and clients the user may see (`scope`), so a match
never names a record the user may not open.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from clients.models import Client
from intake.models import AppointmentRequest, RequestStatus, name_key, without_accents

# A request in these states is not a live duplicate of anything.
NOT_LIVE = (RequestStatus.MERGED, RequestStatus.SPAM)


@dataclass(frozen=True)
class Match:
    """One record that may be the same person, and why."""

    record: AppointmentRequest | Client
    reasons: tuple[str, ...]

    @property
    def is_client(self) -> bool:
        return isinstance(self.record, Client)

    @property
    def why(self) -> str:
        return ", ".join(self.reasons)


def _reasons(
    email: str, digits: str, key: str, other_email: str, other_digits: str, other_key: str
) -> tuple[str, ...]:
    reasons = []
    if email and email.lower() == other_email.lower():
        reasons.append("same e-mail")
    if digits and digits == other_digits:
        reasons.append("same phone")
    if key and key == other_key:
        reasons.append("same name")
    return tuple(reasons)


def _client_key(client: Client) -> str:
    return name_key(client.first_name, client.last_name)


class _Lookup:
    """The candidates by e-mail (case aside), phone digits and name key, so each request
    is compared only with the candidates that share one of them: comparing every request
    of a page with every candidate took a second when a phone number was shared by a
    hundred clients (issue 14). `_reasons` still decides; the order stays the query's."""

    def __init__(self, keys: Sequence[tuple[str, str, str]]) -> None:
        self.by_email: dict[str, list[int]] = defaultdict(list)
        self.by_digits: dict[str, list[int]] = defaultdict(list)
        self.by_name: dict[str, list[int]] = defaultdict(list)
        for i, (email, digits, key) in enumerate(keys):
            if email:
                self.by_email[email.lower()].append(i)
            if digits:
                self.by_digits[digits].append(i)
            if key:
                self.by_name[key].append(i)

    def hits(self, appt: AppointmentRequest) -> list[int]:
        found: set[int] = set()
        if appt.email:
            found.update(self.by_email.get(appt.email.lower(), ()))
        if appt.phone_digits:
            found.update(self.by_digits.get(appt.phone_digits, ()))
        if appt.name_key:
            found.update(self.by_name.get(appt.name_key, ()))
        return sorted(found)


def request_matches(
    appts: Sequence[AppointmentRequest], scope: QuerySet[AppointmentRequest]
) -> dict[int, list[Match]]:
    """For each request, the other live requests in `scope` that may be the same person
    (one query)."""
    emails = {a.email.lower() for a in appts if a.email}
    digits = {a.phone_digits for a in appts if a.phone_digits}
    keys = {a.name_key for a in appts if a.name_key}
    found: dict[int, list[Match]] = {a.pk: [] for a in appts}
    if not (emails or digits or keys):
        return found
    candidates = list(
        scope.annotate(email_lower=Lower("email"))
        .filter(Q(email_lower__in=emails) | Q(phone_digits__in=digits) | Q(name_key__in=keys))
        .exclude(status__in=NOT_LIVE)
        .order_by("created_at", "id")
    )
    lookup = _Lookup([(o.email, o.phone_digits, o.name_key) for o in candidates])
    for appt in appts:
        for i in lookup.hits(appt):
            other = candidates[i]
            if other.pk == appt.pk:
                continue
            why = _reasons(
                appt.email,
                appt.phone_digits,
                appt.name_key,
                other.email,
                other.phone_digits,
                other.name_key,
            )
            if why:
                found[appt.pk].append(Match(other, why))
    return found


def _same_names(names: Sequence[tuple[str, str]], using: str) -> RawSQL:
    """`(UPPER(last_name) = UPPER(%s) AND UPPER(first_name) = UPPER(%s)) OR …` for each
    (last, first) of `names`, the client name index's expression on both sides.

    Written as SQL: built with the ORM, a `Q` per name for a page of 25 requests (50
    names with their accents aside) was the inbox's largest cost after its template
    (issue 14), each lookup resolved and compiled on every view. It selects what the
    ORM's filter selected (intake/tests/test_duplicates.py compares the clients, on
    either database) through the same index. It names the client table itself: for a
    queryset of clients read as it is, never as a subquery (where Django renames the
    table, and this would still name the outer one)."""
    quote = connections[using].ops.quote_name
    table = quote(Client._meta.db_table)
    last = f"UPPER({table}.{quote('last_name')})"
    first = f"UPPER({table}.{quote('first_name')})"
    one = f"({last} = UPPER(%s) AND {first} = UPPER(%s))"
    sql = " OR ".join([one] * len(names)) or "1 = 0"
    params = [value for pair in names for value in pair]
    # Only the fixed text above, repeated; every name goes in as a parameter.
    return RawSQL(f"({sql})", params, output_field=BooleanField())  # noqa: S611


def client_matches(
    appts: Sequence[AppointmentRequest], scope: QuerySet[Client]
) -> dict[int, list[Match]]:
    """For each request, the clients in `scope` that may be the same person (one query).

    The client's name is compared with case aside in the database and accents aside
    here (the request's name is also tried without its accents)."""
    emails = {a.email.lower() for a in appts if a.email}
    digits = {a.phone_digits for a in appts if a.phone_digits}
    found: dict[int, list[Match]] = {a.pk: [] for a in appts}
    if not appts:
        return found
    # Case aside through the database's own UPPER on both sides, the expression
    # clients.Client indexes (client_name_upper_idx): `iexact` is a LIKE on SQLite,
    # which no index serves, and this query scanned every client (42 ms of the inbox
    # at 10,000 clients, 11 ms so; issue 14).
    names = sorted(
        {
            pair
            for a in appts
            for pair in (
                (a.last_name.strip(), a.first_name.strip()),
                (without_accents(a.last_name).strip(), without_accents(a.first_name).strip()),
            )
        }
    )
    condition = Q(_same_names(names, scope.db))
    if emails:
        condition |= Q(email_lower__in=emails)
    if digits:
        condition |= Q(phone_digits__in=digits)
    candidates = list(scope.annotate(email_lower=Lower("email")).filter(condition))
    lookup = _Lookup([(c.email, c.phone_digits, _client_key(c)) for c in candidates])
    for appt in appts:
        for i in lookup.hits(appt):
            client = candidates[i]
            if client.pk == appt.client_id:
                continue
            why = _reasons(
                appt.email,
                appt.phone_digits,
                appt.name_key,
                client.email,
                client.phone_digits,
                _client_key(client),
            )
            if why:
                found[appt.pk].append(Match(client, why))
    return found


def duplicate_flags(
    appts: Sequence[AppointmentRequest],
    requests: QuerySet[AppointmentRequest],
    clients: QuerySet[Client],
) -> dict[int, list[Match]]:
    """Everything that may be the same person, for a page of requests (two queries)."""
    by_request = request_matches(appts, requests)
    by_client = client_matches(appts, clients)
    return {a.pk: [*by_client[a.pk], *by_request[a.pk]] for a in appts}


# What a comparison reads of a record. The inbox only flags a row, so it loads these
# alone: a whole request or client row is several times the work, and the names a
# practice's people share can make the candidates many (issue 14).
REQUEST_FIELDS = ("id", "email", "phone_digits", "name_key", "status", "created_at")
CLIENT_FIELDS = ("id", "email", "phone_digits", "first_name", "last_name")


def possible_duplicates(
    appts: Sequence[AppointmentRequest],
    requests: QuerySet[AppointmentRequest],
    clients: QuerySet[Client],
) -> set[int]:
    """The requests of a page that may be the same person as another live request or a
    client (two queries): the inbox's flag. The request page names them
    (`duplicate_flags`)."""
    flags = duplicate_flags(
        appts,
        requests.select_related(None).only(*REQUEST_FIELDS),
        clients.select_related(None).only(*CLIENT_FIELDS),
    )
    return {pk for pk, found in flags.items() if found}
