"""Every page that lists clients, requests, messages, appointments, alerts or
referrals leaves an audit entry on each GET (HIPAA's "every read of PHI", lists
included), and the entry holds counts and ids, never a name."""

from __future__ import annotations

import datetime as dt

from accounts.models import User
from audit.models import AuditEvent
from clients.models import Client
from measures.alerts.safety import LIST_ACTION
from measures.models import SafetyAlert
from measures.tests.factories import make_response
from pathways.testing import BaseTestCase, make_client, make_request, reauthenticate

# (URL, who, the action its GET writes)
LIST_PAGES: list[tuple[str, str, str]] = [
    ("/staff/", "therapist", "today.view"),  # Today names clients (issue 11 §1)
    ("/staff/", "intake", "today.view"),
    ("/staff/requests/", "intake", "request.list"),
    ("/staff/messages/", "intake", "message.list"),
    ("/staff/clients/", "therapist", "client.list"),
    ("/staff/clients/?q=Avery", "therapist", "client.list"),
    ("/staff/schedule/", "therapist", "schedule.view"),
    ("/staff/schedule/", "admin", "schedule.view"),  # no clinician chosen: nothing shown
    ("/staff/schedule/new/", "therapist", "appointment.form_view"),
    ("/staff/measures/alerts/", "therapist", LIST_ACTION),
    ("/staff/measures/outcomes/", "admin", "outcomes.report_view"),
    ("/staff/audit/", "admin", "audit.report.view"),
    ("/partner/", "prescriber", "referral.list"),
    ("/partner/prescriptions/", "prescriber", "prescription.list"),
    ("/partner/sessions/", "prescriber", "dosing.session_list"),
]


class ListPagesAuditTestCase(BaseTestCase):
    avery: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.avery = make_client(
            first_name="Avery",
            last_name="Quinlan",
            date_of_birth=dt.date(1980, 5, 17),
            assigned_therapist=cls.therapist,
        )
        make_request(first_name="Rowan", last_name="Pike")
        response = make_response(cls.avery, q9=2)
        SafetyAlert.objects.create(
            client=cls.avery, instrument=response.instrument, response=response, item=9, value=2
        )

    def visit(self, url: str, who: str) -> AuditEvent | None:
        user: User = getattr(self, who)
        self.client.force_login(user)
        reauthenticate(self.client)
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = self.client.get(url)
        assert response.status_code == 200, (url, who, response.status_code)
        return AuditEvent.objects.filter(pk__gt=last, actor=user).order_by("pk").last()

    def test_it_audits_every_list_page(self) -> None:
        for url, who, action in LIST_PAGES:
            with self.subTest(url=url, who=who):
                event = self.visit(url, who)

                assert event is not None, f"{url} as {who} wrote no audit entry"
                assert event.action == action
                for name in ("Avery", "Quinlan", "Rowan", "Pike", "1980-05-17"):
                    assert name not in str(event.detail), (url, event.detail)

    def test_it_counts_the_clients_the_booking_form_lists(self) -> None:
        make_client(first_name="Other", assigned_therapist=self.therapist2)

        event = self.visit("/staff/schedule/new/", "therapist")

        assert event is not None
        assert event.detail == {"clients_listed": 1}
        assert self.visit("/staff/schedule/new/", "admin") is not None

    def test_it_audits_the_booking_form_shown_again_with_its_errors(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post("/staff/schedule/new/", {"client": self.avery.pk})

        assert response.status_code == 200
        event = AuditEvent.objects.get(action="appointment.form_view")
        assert event.detail == {"clients_listed": 1}
