from __future__ import annotations

import datetime
import html
import json
import re
from typing import TYPE_CHECKING

from accounts.models import User
from audit.models import AuditEvent
from clients.models import Client
from pathways.testing import BaseTestCase, make_client

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

LIST = "/staff/clients/"


class ClientSearchTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ada = make_client(
            first_name="Ada",
            last_name="Lovelace",
            preferred_name="Countess",
            date_of_birth=datetime.date(1985, 12, 10),
            phone="(555) 010-0123",
            email="ada.l@example.com",
            assigned_therapist=self.therapist,
        )
        self.mary = make_client(
            first_name="Mary",
            last_name="Shelley",
            date_of_birth=datetime.date(1990, 8, 30),
            phone="555.010.0987",
            email="mws@example.org",
            assigned_therapist=self.therapist2,
        )
        self.percy = make_client(
            first_name="Percy",
            last_name="Shelley",
            date_of_birth=datetime.date(1992, 8, 4),
            phone="555 010 4444",
            email="percy@example.net",
        )

    def search(self, query: str, user: User | None = None, **params: str) -> TestResponse:
        self.client.force_login(user or self.intake)
        return self.client.get(LIST, {"q": query, **params})

    def found(self, query: str, user: User | None = None) -> list[Client]:
        response = self.search(query, user)
        assert response.status_code == 200
        return list(response.context["page"])

    def test_it_finds_by_last_name(self) -> None:
        assert self.found("Shelley") == [self.mary, self.percy]
        assert self.found("lovelace") == [self.ada]

    def test_it_finds_by_first_and_last_name_in_any_order(self) -> None:
        assert self.found("Mary Shelley") == [self.mary]
        assert self.found("shelley mary") == [self.mary]
        assert self.found("  percy   SHELLEY ") == [self.percy]

    def test_it_finds_by_partial_names(self) -> None:
        assert self.found("love") == [self.ada]
        assert self.found("she ma") == [self.mary]
        assert self.found("el") == [self.ada, self.mary, self.percy]

    def test_it_needs_every_word_to_match(self) -> None:
        assert self.found("Ada Shelley") == []
        self.assertContains(self.search("Ada Shelley"), "No client matches.")

    def test_it_finds_by_preferred_name(self) -> None:
        assert self.found("Countess") == [self.ada]
        assert self.found("count lovelace") == [self.ada]

    def test_it_finds_by_date_of_birth_as_yyyy_mm_dd(self) -> None:
        assert self.found("1985-12-10") == [self.ada]
        assert self.found("1990-08-30") == [self.mary]
        assert self.found("1985-12-11") == []

    def test_it_finds_by_date_of_birth_as_mm_dd_yyyy(self) -> None:
        assert self.found("12/10/1985") == [self.ada]
        assert self.found("08/30/1990") == [self.mary]
        assert self.found("8/4/1992") == [self.percy]
        # Month first, as written in the US: 10 December, not 12 October.
        assert self.found("10/12/1985") == []

    def test_it_finds_by_phone_digits_whatever_the_formatting(self) -> None:
        for query in (
            "(555) 010-0123",
            "555-010-0123",
            "555.010.0123",
            "555 010 0123",
            "5550100123",
            "(555)0100123",
            "010-0123",
            "0100123",
        ):
            with self.subTest(query=query):
                assert self.found(query) == [self.ada]
        # Stored with dots or spaces, found with dashes.
        assert self.found("(555) 010-0987") == [self.mary]
        assert self.found("555-010-4444") == [self.percy]

    def test_it_finds_by_email(self) -> None:
        assert self.found("ada.l@example.com") == [self.ada]
        assert self.found("MWS@Example.ORG") == [self.mary]
        assert self.found("@example.net") == [self.percy]
        assert self.found("nobody@example.com") == []

    def test_it_keeps_the_query_in_the_box_and_says_found(self) -> None:
        response = self.search("Shelley")

        self.assertContains(response, 'value="Shelley"')
        self.assertContains(response, "2 clients found")
        self.assertContains(response, '<a href="/staff/clients/">Clear</a>', html=True)

    def test_it_shows_a_therapist_only_their_own_clients(self) -> None:
        assert self.found("Shelley", self.therapist) == []
        assert self.found("Ada", self.therapist) == [self.ada]
        assert self.found("5550", self.therapist) == [self.ada]
        assert self.found("@example", self.therapist) == [self.ada]
        assert self.found("08/30/1990", self.therapist) == []
        assert self.found("Shelley", self.therapist2) == [self.mary]

    def test_it_does_not_show_another_therapists_client_in_the_page(self) -> None:
        response = self.search("Shelley", self.therapist)

        self.assertNotContains(response, "Mary")
        self.assertNotContains(response, f"/staff/clients/{self.mary.pk}/")
        self.assertContains(response, "No client matches.")

    def test_it_paginates_results_25_to_a_page_and_keeps_the_query(self) -> None:
        for i in range(30):
            make_client(first_name=f"Pat{i:02d}", last_name="Smith")
        make_client(first_name="Pat", last_name="Jones")

        first = self.search("Smith")

        assert first.context["page"].paginator.count == 30
        assert len(first.context["page"]) == 25
        self.assertContains(first, "Page 1 of 2")
        next_url = _next_link(first)
        assert next_url == "?q=Smith&page=2"

        second = self.client.get(LIST + next_url)

        assert [c.first_name for c in second.context["page"]] == [
            f"Pat{i:02d}" for i in range(25, 30)
        ]
        assert all(c.last_name == "Smith" for c in second.context["page"])

    def test_it_keeps_a_query_with_a_plus_sign_on_the_next_page(self) -> None:
        for i in range(30):
            make_client(first_name=f"Pat{i:02d}", last_name="Tagged", email="pat+kap@example.com")

        first = self.search("pat+kap@example.com")
        assert first.context["page"].paginator.count == 30

        second = self.client.get(LIST + _next_link(first))

        assert len(second.context["page"]) == 5

    def test_it_never_writes_the_search_into_the_audit_trail(self) -> None:
        for query in ("Lovelace", "ada.l@example.com", "12/10/1985", "(555) 010-0123"):
            with self.subTest(query=query):
                self.search(query)

                event = AuditEvent.objects.filter(action="client.list").first()
                assert event is not None
                assert event.detail == {"page": 1, "count": 1, "searched": True}
                row = json.dumps([event.action, event.object_type, event.object_id, event.detail])
                for part in (query, "Lovelace", "ada.l", "1985", "0100123"):
                    assert part not in row

    def test_it_audits_that_no_search_was_made(self) -> None:
        self.search("")

        event = AuditEvent.objects.get(action="client.list")
        assert event.detail == {"page": 1, "count": 3, "searched": False}

    def test_it_never_fails_on_a_bad_query(self) -> None:
        for query in (
            "%",
            "_",
            "\\",
            "'",
            '"; DROP TABLE clients_client; --',
            "\x00",
            "Ada\x00Lovelace",
            "a" * 101,
            "13/45/2020",
            "02/30/1988",
            "0000-00-00",
            "9999-99-99",
            "1985-12-10T00:00",
            "@",
            "@@",
            "()",
            "+",
            "----",
            "1234",
            "99999999999999999999999999999999",
            "日本語",
            "😀",
            "<script>alert(1)</script>",
            "   ",
        ):
            with self.subTest(query=query):
                response = self.search(query)

                assert response.status_code == 200
                self.assertNotContains(response, "<script>alert(1)</script>")

    def test_it_never_fails_on_a_bad_page_number(self) -> None:
        for page in ("abc", "-1", "0", "999999", "1.5", "99999999999999999999999", ""):
            with self.subTest(page=page):
                response = self.search("Shelley", page=page)

                assert response.status_code == 200
                assert response.context["page"].number in (1,)

    def test_it_says_when_a_query_is_too_long(self) -> None:
        response = self.search("a" * 101)

        self.assertContains(response, "Ensure this value has at most 100 characters")
        event = AuditEvent.objects.get(action="client.list")
        assert event.detail["searched"] is False


def _next_link(response: TestResponse) -> str:
    match = re.search(r'<a href="([^"]*)" rel="next">', response.content.decode())
    assert match, "no next-page link"
    return html.unescape(match.group(1))
