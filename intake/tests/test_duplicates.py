"""Possible duplicates: the same e-mail, the same phone (digits only) or the same name
(case and accents aside) are flagged in the inbox, on the request page and at
conversion, which then needs a second choice; a duplicate merges into the first."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import Q, Value
from django.db.models.functions import Upper
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.actor import Actor
from audit.models import AuditEvent
from clients.models import Client
from intake.models import AppointmentRequest, RequestNote, RequestStatus, StatusChange
from intake.queries import SameNames, client_matches, request_matches
from intake.services import IntakeError, request_merge
from pathways.testing import BaseTestCase, make_client, make_request


def older(appt: AppointmentRequest, days: int = 3) -> AppointmentRequest:
    AppointmentRequest.objects.filter(pk=appt.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )
    appt.refresh_from_db()
    return appt


def person(**extra: Any) -> AppointmentRequest:
    data: dict[str, Any] = {
        "first_name": "Ottilie",
        "last_name": "Brandvold",
        "email": "ottilie@example.com",
        "phone": "(555) 010-0133",
    }
    data.update(extra)
    return make_request(**data)


class MatchingTestCase(BaseTestCase):
    def matches(self, appt: AppointmentRequest) -> list[tuple[object, str]]:
        found = request_matches([appt], AppointmentRequest.objects.all())[appt.pk]
        return [(m.record.pk, m.why) for m in found]

    def test_it_matches_the_email_with_case_aside(self) -> None:
        first = person()
        again = person(email="Ottilie@Example.COM", phone="555 999 0000", last_name="B")

        assert self.matches(again) == [(first.pk, "same e-mail")]

    def test_it_matches_the_phone_by_its_digits(self) -> None:
        first = person()
        again = person(email="other@example.com", phone="555.010.0133", first_name="O.")

        assert self.matches(again) == [(first.pk, "same phone")]

    def test_it_matches_the_name_with_case_and_accents_aside(self) -> None:
        first = person(first_name="Zoë", last_name="Núñez")
        again = person(
            first_name="zoe", last_name="NUNEZ", email="z@example.com", phone="555 999 0000"
        )

        assert self.matches(again) == [(first.pk, "same name")]

    def test_it_ignores_someone_else_and_merged_or_spam_requests(self) -> None:
        person(email="a@example.com", phone="555 111 1111", first_name="Ann")
        person(status=RequestStatus.SPAM)
        person(status=RequestStatus.MERGED)
        again = person(email="new@example.com", phone="555 222 2222", first_name="Otto")

        assert self.matches(again) == []

    def test_it_matches_clients_by_email_phone_and_name(self) -> None:
        by_email = make_client(first_name="X", last_name="Y", email="OTTILIE@example.com")
        by_phone = make_client(first_name="P", last_name="Q", email="", phone="555-010-0133")
        by_name = make_client(first_name="Ottilie", last_name="Brändvold", email="")
        make_client(first_name="Somebody", last_name="Else", email="else@example.com")
        appt = person(last_name="Brändvold")

        found = client_matches([appt], Client.objects.all())[appt.pk]

        assert {m.record.pk: m.why for m in found} == {
            by_email.pk: "same e-mail",
            by_phone.pk: "same phone",
            by_name.pk: "same name",
        }


# A row of the inbox: whether it is marked as a possible duplicate, and the name.
INBOX_ROW = re.compile(
    r'<tr( class="possible-duplicate")?>\s*<td>[^<]*</td>\s*<td><a href="[^"]+">([^<]+)</a>'
)


def _row_flags(response: Any) -> list[tuple[str, bool]]:
    """Each row of the inbox page: the name shown, and whether it is marked."""
    return [(name, bool(marked)) for marked, name in INBOX_ROW.findall(response.content.decode())]


class InboxTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.intake)

    def test_it_flags_a_possible_duplicate_on_the_row(self) -> None:
        older(person())
        person()
        make_request(first_name="Unique", email="u@example.com", phone="555 777 7777")

        response = self.client.get("/staff/requests/")

        flags = {name.split()[0]: flagged for name, flagged in _row_flags(response)}
        assert flags == {"Ottilie": True, "Unique": False}
        self.assertContains(response, "Possible duplicate", count=2)
        self.assertContains(response, 'class="badge-icon" aria-hidden="true">≈</span>')

    def test_it_runs_the_same_queries_for_one_row_or_twenty(self) -> None:
        def queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert self.client.get("/staff/requests/").status_code == 200
            return len(ctx.captured_queries)

        person()
        make_client(first_name="Ottilie", last_name="Brandvold")
        one = queries()
        for n in range(19):
            person(email=f"p{n}@example.com", phone=f"555 010 {n:04d}", first_name=f"P{n}")
            make_client(first_name=f"P{n}", last_name="Brandvold", email=f"p{n}@example.com")

        assert queries() == one

    def test_it_reads_only_what_the_comparison_needs_for_the_rows_flags(self) -> None:
        person()
        make_client(first_name="Ottilie", last_name="Brandvold")

        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get("/staff/requests/")

        assert [flagged for _name, flagged in _row_flags(response)] == [True]
        candidates = [
            q["sql"]
            for q in ctx.captured_queries
            if q["sql"].startswith("SELECT") and "LIMIT" not in q["sql"]
        ]
        client_reads = [sql for sql in candidates if 'FROM "clients_client"' in sql]
        request_reads = [sql for sql in candidates if 'FROM "intake_appointmentrequest"' in sql]
        assert client_reads
        assert request_reads
        # Neither the client's date of birth nor the request's reason is read to flag a row.
        assert not any('"date_of_birth"' in sql for sql in client_reads)
        assert not any('"reason"' in sql for sql in request_reads)

    def test_it_shows_a_therapist_no_match_they_may_not_see(self) -> None:
        mine = person(assigned_to=self.therapist)
        older(person(assigned_to=self.therapist2))
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/requests/{mine.pk}/")

        assert response.context["matches"] == []
        self.assertNotContains(response, "Possible duplicate")


class RequestPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.intake)
        self.first = older(person())
        self.again = person(status=RequestStatus.SCHEDULED)

    def test_it_lists_the_matches_with_links(self) -> None:
        existing = make_client(first_name="Ottilie", last_name="Brandvold")

        response = self.client.get(f"/staff/requests/{self.again.pk}/")

        self.assertContains(response, "Possible duplicates")
        self.assertContains(response, f'href="/staff/requests/{self.first.pk}/"')
        self.assertContains(response, f'href="/staff/clients/{existing.pk}/"')
        self.assertContains(response, "same e-mail, same phone, same name")
        self.assertContains(response, f"Merge into request #{self.first.pk}")

    def test_it_counts_the_matches_it_names_in_the_audit_entry(self) -> None:
        make_client(first_name="Ottilie", last_name="Brandvold")

        self.client.get(f"/staff/requests/{self.again.pk}/")

        event = AuditEvent.objects.get(action="request.view")
        assert event.detail == {"possible_duplicates": {"clients": 1, "requests": 1}}

    def test_it_offers_no_merge_into_a_later_request(self) -> None:
        response = self.client.get(f"/staff/requests/{self.first.pk}/")

        self.assertContains(response, "Possible duplicate")
        self.assertNotContains(response, "Merge into request")


class ConvertWithDuplicatesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.intake)
        self.appt = person(status=RequestStatus.SCHEDULED)
        self.existing = make_client(first_name="Ottilie", last_name="Brandvold", email="")
        self.url = f"/staff/requests/{self.appt.pk}/convert/"

    def test_it_lists_the_matching_clients_in_the_convert_confirm(self) -> None:
        response = self.client.get(f"/staff/requests/{self.appt.pk}/")

        self.assertContains(response, "This person may already be known to the practice")
        self.assertContains(response, "This is Ottilie Brandvold: link the request")
        self.assertContains(response, "Create a new client anyway")

    def test_it_refuses_to_convert_without_a_choice(self) -> None:
        response = self.client.post(self.url, {"confirm": "yes", "reason": "typed"})

        assert response.status_code == 200
        self.assertContains(response, "This person may already be known: choose one")
        self.assertContains(response, ">typed</textarea>")
        assert Client.objects.count() == 1

    def test_it_refuses_a_new_client_without_a_reason(self) -> None:
        response = self.client.post(self.url, {"confirm": "yes", "existing": "new"})

        assert response.status_code == 200
        self.assertContains(response, 'id="convert-reason_error">Write why a new client')
        self.assertContains(response, 'value="new" required checked')
        assert Client.objects.count() == 1

    def test_it_creates_a_new_client_anyway_with_the_reason(self) -> None:
        self.client.post(
            self.url, {"confirm": "yes", "existing": "new", "reason": "A different person."}
        )

        assert Client.objects.count() == 2
        change = StatusChange.objects.get(request=self.appt)
        assert change.reason == "A different person."
        event = AuditEvent.objects.get(action="request.status")
        assert event.detail["possible_duplicates"] == [self.existing.pk]
        assert event.detail["possible_duplicate_requests"] == []
        assert event.detail["reason"] is True

    def test_it_links_the_request_to_the_existing_client(self) -> None:
        response = self.client.post(self.url, {"confirm": "yes", "existing": self.existing.pk})

        self.assertRedirects(response, f"/staff/clients/{self.existing.pk}/")
        assert Client.objects.count() == 1
        self.appt.refresh_from_db()
        assert self.appt.client == self.existing
        assert self.appt.status == RequestStatus.CONVERTED

    def test_it_merges_into_the_request_the_existing_client_came_from(self) -> None:
        source = older(person(status=RequestStatus.CONVERTED, client=self.existing))

        self.client.post(self.url, {"confirm": "yes", "existing": self.existing.pk})

        self.appt.refresh_from_db()
        assert self.appt.status == RequestStatus.MERGED
        assert self.appt.merged_into == source
        assert source.notes.filter(body__isnull=False).count() == 1
        assert Client.objects.count() == 1

    def test_it_refuses_a_client_that_does_not_match(self) -> None:
        other = make_client(first_name="Somebody", last_name="Else", email="e@example.com")

        response = self.client.post(self.url, {"confirm": "yes", "existing": other.pk})

        self.assertContains(response, "choose one of the clients, or a new client")
        self.appt.refresh_from_db()
        assert self.appt.client is None

    def test_it_asks_for_a_reason_when_only_another_request_matches(self) -> None:
        self.existing.delete()
        other = older(person(email="x@example.com"))

        refused = self.client.post(self.url, {"confirm": "yes"})
        self.assertContains(refused, "may have sent another request")
        self.assertContains(refused, f'href="/staff/requests/{other.pk}/"')
        self.client.post(self.url, {"confirm": "yes", "existing": "new", "reason": "Twins."})

        event = AuditEvent.objects.get(action="request.status")
        assert event.detail["possible_duplicate_requests"] == [other.pk]
        assert Client.objects.count() == 1

    def test_it_refuses_to_convert_without_the_confirm(self) -> None:
        response = self.client.post(self.url, {"existing": self.existing.pk})

        self.assertContains(response, "Press the confirm button to go ahead")
        self.appt.refresh_from_db()
        assert self.appt.status == RequestStatus.SCHEDULED


class MergeTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.intake)
        self.first = older(person(reason="First words."))
        self.dup = person(reason="Second words.", preferred_times=["evening"])
        RequestNote.objects.create(request=self.dup, author=self.intake, body="Left a voicemail.")
        self.url = f"/staff/requests/{self.dup.pk}/merge/"

    def test_it_keeps_the_duplicates_notes_and_answers_on_the_first(self) -> None:
        response = self.client.post(self.url, {"confirm": "yes", "into": self.first.pk})

        self.assertRedirects(response, f"/staff/requests/{self.first.pk}/")
        bodies = [note.body for note in self.first.notes.all()]
        assert "Left a voicemail." in bodies
        summary = next(b for b in bodies if b.startswith("Merged from request"))
        assert "Reason: Second words." in summary
        assert "Good times: Weekday evenings" in summary
        self.dup.refresh_from_db()
        assert self.dup.status == RequestStatus.MERGED
        assert self.dup.merged_into == self.first
        page = self.client.get(f"/staff/requests/{self.dup.pk}/")
        self.assertContains(page, f'Merged into <a href="/staff/requests/{self.first.pk}/"')

    def test_it_audits_both_requests(self) -> None:
        self.client.post(self.url, {"confirm": "yes", "into": self.first.pk})

        status = AuditEvent.objects.get(action="request.status")
        assert status.object_id == str(self.dup.pk)
        assert status.detail == {"from": "new", "to": "merged", "into": self.first.pk}
        merge = AuditEvent.objects.get(action="request.merge")
        assert merge.object_id == str(self.first.pk)
        assert merge.detail == {"from": self.dup.pk, "notes_moved": 1}

    def test_it_refuses_without_the_confirm(self) -> None:
        response = self.client.post(self.url, {"into": self.first.pk})

        self.assertContains(response, "Press the confirm button to go ahead")
        self.dup.refresh_from_db()
        assert self.dup.status == RequestStatus.NEW

    def test_it_refuses_a_request_that_is_not_a_duplicate(self) -> None:
        other = make_request(first_name="Nobody", email="n@example.com", phone="555 333 3333")

        with self.assertRaisesMessage(IntakeError, "Only a possible duplicate"):
            request_merge(actor=Actor.for_user(self.intake), appt=self.dup, into=other)
        self.dup.refresh_from_db()
        assert self.dup.status == RequestStatus.NEW

    def test_it_refuses_a_converted_request(self) -> None:
        AppointmentRequest.objects.filter(pk=self.dup.pk).update(
            status=RequestStatus.CONVERTED, client=make_client()
        )

        with self.assertRaises(IntakeError):
            request_merge(actor=Actor.for_user(self.intake), appt=self.dup, into=self.first)


class NameConditionTestCase(BaseTestCase):
    """The names' condition, written as SQL (`intake.queries.SameNames`), selects the
    clients the ORM's filter of one `Q` per name selected, on either database."""

    NAMES = [
        ("Lovelace", "Ada"),
        ("LOVELACE", "ada"),
        ("lovelace", "Ada "),
        ("Núñez", "José"),
        ("Nunez", "Jose"),
        ("O'Brien", "Siobhán"),
        ("Straße", "Jürgen"),
        ("STRASSE", "JÜRGEN"),
        ("Öztürk", "İlkay"),
        ("50%", "_x_"),
        ("", ""),
        ("Smith", "Pat"),
    ]

    def test_it_selects_what_the_orms_filter_of_each_name_selected(self) -> None:
        for last, first in self.NAMES:
            make_client(first_name=first, last_name=last, email="", phone="")
        make_client(first_name="Pat", last_name="Smithson", email="", phone="")
        scope = Client.objects.all()
        for size in (1, 2, len(self.NAMES)):
            for start in range(0, len(self.NAMES), size):
                names = self.NAMES[start : start + size]
                with self.subTest(names=names):
                    orm = reduce(
                        or_,
                        (
                            Q(last_upper=Upper(Value(last)), first_upper=Upper(Value(first)))
                            for last, first in names
                        ),
                    )
                    expected = set(
                        scope.annotate(
                            last_upper=Upper("last_name"), first_upper=Upper("first_name")
                        )
                        .filter(orm)
                        .values_list("pk", flat=True)
                    )
                    found = set(
                        scope.filter(SameNames(json.dumps(names))).values_list("pk", flat=True)
                    )
                    self.assertEqual(found, expected)
        # Case aside, in the database: Ada Lovelace however she was written.
        lovelace = scope.filter(SameNames(json.dumps([("LOVELACE", "ada")])))
        self.assertGreaterEqual(lovelace.count(), 2)
        self.assertFalse(scope.filter(SameNames("[]")).exists())
        # Inside a query that names the client table under another alias (a subquery).
        inner = scope.filter(SameNames(json.dumps([("Smith", "Pat")])))
        outer = Client.objects.filter(pk__in=inner.values("pk")).values_list("last_name")
        self.assertEqual(list(outer), [("Smith",)])
