"""The inbox's flag (intake.inbox_flags: two reads compiled once) flags the rows the
request page's check (`duplicate_flags`, through the ORM) finds a match for, for each
scope a user can have: the whole practice, a therapist's own requests and clients, and
a therapist holding emergency access to another's client."""

from __future__ import annotations

import random
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Lower, Upper
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from clients.models import Client
from clients.queries import clients_visible_to, grants_of_this_request
from intake.inbox_flags import possible_duplicates
from intake.models import AppointmentRequest, RequestStatus, name_key, without_accents
from intake.queries import duplicate_flags
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_grant,
    make_request,
    name_for_break_glass,
)

# Few values, so that many records share one: names with their case, accents and
# spacing changed, e-mails with their case, the same phone written two ways.
FIRSTS = ["Zoë", "zoe", "ZOE ", "José", "Jose", "Ann", "Siobhán", "Pat"]
LASTS = ["Núñez", "nunez", "O'Brien", "o'brien", "Lee", "Straße", "Smith"]
EMAILS = ["", "ann@example.com", "ANN@example.com", "pat@example.org", "z@example.net"]
PHONES = ["", "(540) 555-0101", "540.555.0101", "(434) 555-0199"]
STATUSES = [RequestStatus.NEW, RequestStatus.CONTACTED, RequestStatus.MERGED, RequestStatus.SPAM]


def _same(appt: AppointmentRequest, email: str, digits: str, key: str) -> bool:
    return bool(
        (appt.email and appt.email.lower() == email.lower())
        or (appt.phone_digits and appt.phone_digits == digits)
        or (appt.name_key and appt.name_key == key)
    )


def _orm_flags(
    rows: list[AppointmentRequest],
    requests: QuerySet[AppointmentRequest],
    clients: QuerySet[Client],
) -> set[int]:
    """The rows the inbox flagged at 2ef849b, read with the ORM's own lookups."""
    emails = {a.email.lower() for a in rows if a.email}
    digits = {a.phone_digits for a in rows if a.phone_digits}
    keys = {a.name_key for a in rows if a.name_key}
    others = list(
        requests.annotate(email_lower=Lower("email"))
        .filter(Q(email_lower__in=emails) | Q(phone_digits__in=digits) | Q(name_key__in=keys))
        .exclude(status__in=(RequestStatus.MERGED, RequestStatus.SPAM))
    )
    names = {
        pair
        for a in rows
        for pair in (
            (a.last_name.strip(), a.first_name.strip()),
            (without_accents(a.last_name).strip(), without_accents(a.first_name).strip()),
        )
    }
    by_name = reduce(
        or_,
        (
            Q(last_upper=Upper(Value(last)), first_upper=Upper(Value(first)))
            for last, first in names
        ),
        Q(pk__in=[]),
    )
    people = list(
        clients.annotate(
            email_lower=Lower("email"),
            last_upper=Upper("last_name"),
            first_upper=Upper("first_name"),
        ).filter(by_name | Q(email_lower__in=emails) | Q(phone_digits__in=digits))
    )
    flagged = set()
    for appt in rows:
        if any(
            o.pk != appt.pk and _same(appt, o.email, o.phone_digits, o.name_key) for o in others
        ) or any(
            c.pk != appt.client_id
            and _same(appt, c.email, c.phone_digits, name_key(c.first_name, c.last_name))
            for c in people
        ):
            flagged.add(appt.pk)
    return flagged


def _some(draw: random.Random, pool: list[str], own: str) -> str:
    """One of the shared values, or now and then a value no other record has."""
    return draw.choice(pool) if draw.random() < 0.5 else own


class InboxFlagsTestCase(BaseTestCase):
    def world(self, seed: int) -> list[AppointmentRequest]:
        """Clients and requests drawn from the values above, a third of each the
        therapist's; some requests already linked to a client."""
        draw = random.Random(seed)  # noqa: S311  (test data, not a secret)
        clients = [
            make_client(
                first_name=_some(draw, FIRSTS, f"Cleo{n}"), last_name=_some(draw, LASTS, "Vance"),
                email=_some(draw, EMAILS, f"c{n}@example.com"),
                phone=_some(draw, PHONES, f"(276) 555-01{n:02d}"),
                assigned_therapist=draw.choice([self.therapist, self.therapist2, None]),
            )
            for n in range(25)
        ]  # fmt: skip
        # A client came from one request at most; some requests from none.
        linked = [*draw.sample(clients, 10), *([None] * 30)]
        draw.shuffle(linked)
        for n, client in enumerate(linked):
            make_request(
                first_name=_some(draw, FIRSTS, f"Remy{n}"), last_name=_some(draw, LASTS, "Hale"),
                email=_some(draw, EMAILS, f"r{n}@example.com"),
                phone=_some(draw, PHONES, f"(757) 555-01{n:02d}"),
                status=draw.choice(STATUSES),
                assigned_to=draw.choice([self.therapist, self.therapist2, None]),
                client=client,
            )  # fmt: skip
        return list(AppointmentRequest.objects.order_by("-created_at", "-pk"))

    def expected(self, rows: list[AppointmentRequest], user: User) -> set[int]:
        requests = AppointmentRequest.objects.all()
        if user.role == self.therapist.role:
            requests = requests.filter(assigned_to=user)
        flags = duplicate_flags(rows, requests, clients_visible_to(user))
        found = {pk for pk, matches in flags.items() if matches}
        # And the check as it was written before its reads were compiled (an ORM filter
        # of IN lists and a Q per name): the page's SQL is compared too, not only the
        # scopes (`duplicate_flags` shares the candidates' queries with the flag).
        assert found == _orm_flags(rows, requests, clients_visible_to(user))
        return found

    def test_it_flags_what_the_request_page_finds_for_every_scope(self) -> None:
        holder = name_for_break_glass(self.therapist2)
        for seed in range(3):
            with self.subTest(seed=seed):
                AppointmentRequest.objects.all().delete()
                Client.objects.all().delete()
                rows = self.world(seed)
                # Emergency access to one of the therapist's clients.
                theirs = Client.objects.filter(assigned_therapist=self.therapist).first()
                assert theirs is not None
                make_grant(holder, theirs)
                for user in (self.intake, self.admin, self.therapist, holder):
                    for page in (rows[:25], rows[25:], rows[:1]):
                        expected = self.expected(page, user)
                        assert possible_duplicates(page, user) == expected, (seed, user)
                # The draws flag some rows and leave others (the comparison says something).
                flagged = possible_duplicates(rows, self.intake)
                assert 0 < len(flagged) < len(rows)

    def test_it_asks_two_queries_whatever_the_page(self) -> None:
        rows = self.world(7)
        for user in (self.intake, self.therapist):
            for page in (rows[:1], rows):
                # As in a request, whose grants in force the middleware has read.
                with grants_of_this_request(user, ()), CaptureQueriesContext(connection) as ctx:
                    possible_duplicates(page, user)
                assert len(ctx.captured_queries) == 2
        with CaptureQueriesContext(connection) as ctx:
            assert possible_duplicates([], self.intake) == set()
        assert not ctx.captured_queries
