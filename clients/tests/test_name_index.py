"""The client search's trigram index of names on SQLite (clients.name_index): the search
finds through it exactly the clients the table's scan found, it follows every change of
a name, it mends itself after a migration drops its triggers, and the search reads it
rather than every client."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.db.models import Q, QuerySet

from clients import name_index
from clients.models import Client
from clients.search import search_clients
from pathways.testing import BaseTestCase, make_client

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's FTS5 index; PostgreSQL's trigram indexes are checked in "
    "pathways/tests/test_explain_pages.py",
)

NAMES = [
    ("Hana", "Stanmore", ""),
    ("HANNAH", "stanley", "Hen"),
    ("Émile", "Zola-Ashford", "Em"),
    ("émile", "ashFORD", ""),
    ('Ma"ry', "O'Brien", "Mae"),
    ("Ana%", "Under_score", "A_n"),
    ("Bo", "Li", ""),
    ("Lee", "Ng", "Leelee"),
    ("Zoë", "Brontë", ""),
    ("Jo Anne", "Van der Berg", "Jojo"),
]


def reference(qs: QuerySet[Client], query: str) -> QuerySet[Client]:
    """The search's filter on names without the index, as it was (a scan)."""
    for word in query.split():
        qs = qs.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    return qs


def found(query: str) -> list[int]:
    return sorted(search_clients(Client.objects.all(), query).values_list("pk", flat=True))


def in_index(word: str) -> set[int]:
    """The clients the index alone says hold `word`."""
    holding = name_index.names_holding([word])
    assert holding is not None
    return set(Client.objects.filter(pk__in=holding).values_list("pk", flat=True))


class NameIndexTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.clients = [
            make_client(first_name=first, last_name=last, preferred_name=preferred)
            for first, last, preferred in NAMES
        ]

    def test_it_is_made_by_migrate(self) -> None:
        assert name_index.ready("default")

    def test_it_finds_the_clients_the_scan_found(self) -> None:
        queries = [
            "stan", "STAN", "han", "hana stan", "Émile", "émile", "ÉMILE", "ashford",
            'a"r', '"', "%", "_", "a_n", "r_s", "ë", "zoë", "bo", "li", "Bo Li", "lee",
            "Jo Anne", "van der", "nobody", "xyz abc", "an an", "e", "'Br", "O'B",
        ]  # fmt: skip
        # And parts of each name, in a mixed case, alone and two together.
        rng = random.Random(14)  # noqa: S311  (the same queries on every run)
        names = [n for row in NAMES for n in row if n]
        for _ in range(300):
            name = rng.choice(names)
            start = rng.randrange(len(name))
            part = name[start : start + rng.randint(1, 6)]
            part = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in part)
            queries.append(part if rng.random() < 0.7 else f"{part} {rng.choice(names)[:3]}")
        for query in queries:
            if not query.split():
                continue
            with self.subTest(query=query):
                expected = sorted(
                    reference(Client.objects.all(), query).values_list("pk", flat=True)
                )
                assert found(query) == expected

    def test_it_follows_each_change_of_a_name(self) -> None:
        client = self.clients[0]
        assert client.pk in in_index("stanmore")

        client.last_name = "Wexford"
        client.save()
        assert client.pk not in in_index("stanmore")
        assert client.pk in in_index("wexford")

        client.preferred_name = "Hanny"
        client.save(update_fields=["preferred_name"])
        assert client.pk in in_index("hanny")
        assert client.pk in in_index("wexford")

        Client.objects.filter(pk=client.pk).update(first_name="Johanna")
        assert client.pk in in_index("johanna")

        newcomer = make_client(first_name="Quentin", last_name="Marlowe")
        assert in_index("marlowe") == {newcomer.pk}

        Client.objects.filter(pk=newcomer.pk).delete()
        assert in_index("marlowe") == set()
        assert found("marlowe") == []

    def test_it_mends_itself_when_a_migration_drops_its_triggers(self) -> None:
        # SQLite's schema editor rebuilds the client table when a migration alters it,
        # and the rebuilt table has no triggers: a name changed then is not indexed.
        with connection.cursor() as cursor:
            for trigger in ("insert", "update", "delete"):
                cursor.execute(f"DROP TRIGGER {name_index.TABLE}_{trigger}")
        Client.objects.filter(pk=self.clients[0].pk).update(last_name="Rebuiltson")
        assert in_index("rebuiltson") == set()

        assert name_index.ensure(connection)  # what each migrate ends with

        assert name_index.ready("default")
        assert in_index("rebuiltson") == {self.clients[0].pk}
        assert in_index("stanmore") == set()
        assert found("rebuiltson") == [self.clients[0].pk]

    def test_a_worker_stops_using_it_at_once_when_a_trigger_is_lost(self) -> None:
        # A migration that rebuilt the table (its triggers gone) and failed before
        # `ensure`, or another file put in place: a worker that had found the index
        # ready reads the table again, rather than an index nobody keeps.
        assert name_index.ready("default")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER {name_index.TABLE}_update")
        Client.objects.filter(pk=self.clients[0].pk).update(last_name="Unindexed")

        assert not name_index.ready("default")
        assert found("unindexed") == [self.clients[0].pk]
        assert found("stanmore") == []

    def test_it_leaves_the_words_too_short_for_it_to_the_scan(self) -> None:
        assert name_index.names_holding(["bo", "li"]) is None
        assert name_index.names_holding(["bo\x00b"]) is None  # NUL ends an FTS5 string
        assert found("bo li") == [self.clients[6].pk]

    def test_the_search_reads_the_index_not_every_client(self) -> None:
        qs = search_clients(Client.objects.all(), "hana stan")
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = [str(row[-1]) for row in cursor.fetchall()]
        assert any(name_index.TABLE in line and "VIRTUAL TABLE" in line for line in plan), plan
        assert not [line for line in plan if line.split()[:2] == ["SCAN", "clients_client"]], plan
