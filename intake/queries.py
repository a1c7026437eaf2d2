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

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from clients.models import Client
from common.json_values import InJson, SubqueryIn, json_list
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


def _names_json(appts: Sequence[AppointmentRequest]) -> str:
    """Each request's (last, first) name, as typed and without its accents: the pairs
    `SameNames` compares, as one JSON text."""
    pairs = {
        pair
        for a in appts
        for pair in (
            (a.last_name.strip(), a.first_name.strip()),
            (without_accents(a.last_name).strip(), without_accents(a.first_name).strip()),
        )
    }
    return json.dumps(sorted(pairs), ensure_ascii=False)


@dataclass(frozen=True)
class Wanted:
    """What a page of requests is compared on, each a JSON text (common.json_values): the
    e-mails lower-cased, the phones' digits, the name keys, the (last, first) names."""

    emails: str
    digits: str
    keys: str
    names: str

    @classmethod
    def of(cls, appts: Sequence[AppointmentRequest]) -> Wanted:
        return cls(
            emails=json_list(a.email.lower() for a in appts if a.email),
            digits=json_list(a.phone_digits for a in appts if a.phone_digits),
            keys=json_list(a.name_key for a in appts if a.name_key),
            names=_names_json(appts),
        )


def request_candidates(
    scope: QuerySet[AppointmentRequest], *, emails: str, digits: str, keys: str
) -> QuerySet[AppointmentRequest]:
    """The live requests of `scope` that share an e-mail (case aside), a phone or a name
    key with the page (`Wanted`'s texts): each through its index, whatever the page's
    length the same SQL."""
    return (
        scope.filter(
            Q(InJson(Lower("email"), emails))
            | Q(InJson("phone_digits", digits))
            | Q(InJson("name_key", keys))
        )
        .exclude(status__in=NOT_LIVE)
        .order_by("created_at", "id")
    )


_TABLE, _PK = Client._meta.db_table, Client._meta.pk.column
# Only the model's own names in the text: every value goes in as the one parameter.
_MATCH = 'UPPER(c."last_name") = UPPER({last}) AND UPPER(c."first_name") = UPPER({first})'
_SQLITE_NAMES = (
    f'SELECT c."{_PK}" FROM json_each(%s) j JOIN "{_TABLE}" c ON '  # noqa: S608  (no value)
    + _MATCH.format(last="json_extract(j.value, '$[0]')", first="json_extract(j.value, '$[1]')")
)
# PostgreSQL takes a set-returning function for 100 rows and, on a small table, joins it
# by hashing every client; OFFSET 0 keeps the LATERAL subquery its own, so each pair is
# looked up in the index, as many lookups as pairs whatever the practice's size.
_POSTGRESQL_NAMES = (
    f'SELECT x."{_PK}" FROM jsonb_array_elements(%s::jsonb) j CROSS JOIN LATERAL'  # noqa: S608
    f' (SELECT c."{_PK}" FROM "{_TABLE}" c WHERE '
    + _MATCH.format(last="(j.value ->> 0)", first="(j.value ->> 1)")
    + " OFFSET 0) x"
)


class SameNames(SubqueryIn):
    """The client's (last, first) name is one of the JSON text's pairs with case aside,
    through the index on (UPPER(last_name), UPPER(first_name)) (client_name_upper_idx),
    the database's own UPPER on both sides: `filter(SameNames(names))`.

    Written as SQL: built with the ORM, a `Q` per name for a page of 25 requests (50
    names with their accents aside) was the inbox's largest cost after its template
    (issue 14), each lookup resolved and compiled on every view. It selects what that
    filter selected (intake/tests/test_duplicates.py compares the clients, on either
    database). Its subquery names the client table under an alias of its own, so it
    holds inside any query of clients."""

    def __init__(self, names: str) -> None:
        super().__init__("pk", _SQLITE_NAMES, _POSTGRESQL_NAMES, names)


def client_candidates(
    scope: QuerySet[Client], *, names: str, emails: str, digits: str
) -> QuerySet[Client]:
    """The clients of `scope` that share a name (case aside; `SameNames`), an e-mail (case
    aside) or a phone with the page (`Wanted`'s texts): each through its index. Accents
    are set aside by the caller: the names hold each request's also without them."""
    return scope.filter(
        Q(SameNames(names)) | Q(InJson(Lower("email"), emails)) | Q(InJson("phone_digits", digits))
    )


Key = tuple[str, str, str]  # (e-mail, phone digits, name key) of a candidate


def matching(
    appts: Sequence[AppointmentRequest],
    keys: Sequence[Key],
    same: Callable[[AppointmentRequest, int], bool],
) -> Iterator[tuple[AppointmentRequest, int, tuple[str, ...]]]:
    """(request, candidate's index, why) for each candidate that may be the same person
    as the request; `same(appt, i)`: the candidate is the request itself (or its own
    client), never a match."""
    lookup = _Lookup(keys)
    for appt in appts:
        for i in lookup.hits(appt):
            if same(appt, i):
                continue
            why = _reasons(appt.email, appt.phone_digits, appt.name_key, *keys[i])
            if why:
                yield appt, i, why


def request_matches(
    appts: Sequence[AppointmentRequest], scope: QuerySet[AppointmentRequest]
) -> dict[int, list[Match]]:
    """For each request, the other live requests in `scope` that may be the same person
    (one query)."""
    found: dict[int, list[Match]] = {a.pk: [] for a in appts}
    if not any(a.email or a.phone_digits or a.name_key for a in appts):
        return found
    wanted = Wanted.of(appts)
    candidates = list(
        request_candidates(scope, emails=wanted.emails, digits=wanted.digits, keys=wanted.keys)
    )
    keys = [(o.email, o.phone_digits, o.name_key) for o in candidates]
    for appt, i, why in matching(appts, keys, lambda a, i: candidates[i].pk == a.pk):
        found[appt.pk].append(Match(candidates[i], why))
    return found


def client_matches(
    appts: Sequence[AppointmentRequest], scope: QuerySet[Client]
) -> dict[int, list[Match]]:
    """For each request, the clients in `scope` that may be the same person (one query).

    The client's name is compared with case aside in the database and accents aside
    here (the request's name is also tried without its accents)."""
    found: dict[int, list[Match]] = {a.pk: [] for a in appts}
    if not appts:
        return found
    wanted = Wanted.of(appts)
    candidates = list(
        client_candidates(scope, names=wanted.names, emails=wanted.emails, digits=wanted.digits)
    )
    keys = [(c.email, c.phone_digits, _client_key(c)) for c in candidates]
    for appt, i, why in matching(appts, keys, lambda a, i: candidates[i].pk == a.client_id):
        found[appt.pk].append(Match(candidates[i], why))
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
