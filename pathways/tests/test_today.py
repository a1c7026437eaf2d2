"""The staff home is a Today view: today's appointments with their state and a way
in, safety alerts with the client's name, notes to sign, consents waiting, measures
due or overdue, referrals waiting on the practice, and (intake, admin) new requests
and open messages; each with a count and an empty state, audited with ids only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from common.tokens import new_token, token_hash
from measures.models import MeasureLink, Reason, SafetyAlert
from measures.tests.factories import make_response
from pathways.testing import (
    PASSWORD,
    BaseTestCase,
    make_client,
    make_grant,
    make_user,
    name_for_break_glass,
)
from pathways.tests.support import add_front_desk, add_work, today_at
from pathways.today import today_for
from pathways.views import TODAY_ACTION
from scheduling.models import AppointmentStatus, AppointmentType
from scheduling.tests.factories import make_appointment

URL = "/staff/"


class TodayTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.mine = add_work(self.therapist, self.prescriber, self.partner, n=2, first_name="Mina")
        self.theirs = add_work(
            self.therapist2, self.prescriber, self.partner, n=1, first_name="Otto", hour=7
        )
        add_front_desk(n=1)

    def get(self, user: User) -> Any:
        self.client.force_login(user)
        response = self.client.get(URL)
        assert response.status_code == 200
        return response

    def section(self, response: Any, key: str) -> list[int]:
        sections = response.context["sections"]
        return [row.pk for row in sections[key].rows]

    def test_it_lists_a_therapists_own_appointments_in_time_order(self) -> None:
        response = self.get(self.therapist)

        rows = response.context["today"].appointments
        assert [r.appointment.pk for r in rows] == [a.pk for a in self.mine.appointments]
        self.assertContains(response, "MinaA Today")
        self.assertNotContains(response, "OttoA")
        self.assertContains(response, 'class="badge badge-waiting status-scheduled"')

    def test_it_opens_the_dosing_record_of_a_started_session(self) -> None:
        response = self.get(self.therapist)

        self.assertContains(response, f'href="/staff/dosing/{self.mine.records[0].pk}/"')
        self.assertContains(response, "Open the dosing record")

    def test_it_opens_the_appointment_page_when_there_is_no_session(self) -> None:
        appt = make_appointment(
            self.mine.clients[0], self.therapist, today_at(17), type=AppointmentType.PSYCHOTHERAPY
        )

        response = self.get(self.therapist)

        self.assertContains(response, f'href="/staff/schedule/{appt.pk}/"')

    def test_it_shows_intake_the_practices_appointments_and_the_session_page(self) -> None:
        response = self.get(self.intake)

        rows = response.context["today"].appointments
        expected = [self.theirs.appointments[0].pk, *[a.pk for a in self.mine.appointments]]
        assert [r.appointment.pk for r in rows] == expected
        # Intake does not open dosing records: the session page instead.
        self.assertContains(response, f'href="/staff/courses/sessions/{self.mine.dosing[0].pk}/"')
        self.assertNotContains(response, "/staff/dosing/")

    def test_it_leaves_out_yesterdays_and_tomorrows_appointments(self) -> None:
        client = self.mine.clients[0]
        for days in (-1, 1):
            make_appointment(client, self.therapist, today_at(12) + dt.timedelta(days=days))

        rows = today_for(self.therapist).appointments

        assert len(rows) == 2

    def test_it_shows_the_state_of_a_cancelled_appointment(self) -> None:
        make_appointment(
            self.mine.clients[0], self.therapist, today_at(18), status=AppointmentStatus.CANCELLED
        )

        self.assertContains(self.get(self.therapist), "status-cancelled")

    def test_it_names_the_client_of_a_safety_alert(self) -> None:
        response = make_response(self.theirs.clients[0], q9=2)
        alert = SafetyAlert.objects.create(
            client=self.theirs.clients[0],
            instrument=response.instrument,
            response=response,
            item=9,
            value=2,
        )

        page = self.get(self.therapist)

        # Every clinician sees every open alert, by name (measures.alerts.queries).
        assert self.section(page, "alerts") == [alert.pk]
        self.assertContains(page, f'<a href="/staff/measures/alerts/{alert.pk}/">OttoA Today</a>')
        self.assertNotContains(page, "Safety alert #")

    def test_it_lists_a_therapists_own_notes_to_sign(self) -> None:
        assert self.section(self.get(self.therapist), "notes") == [n.pk for n in self.mine.notes]
        assert self.section(self.get(self.therapist2), "notes") == [self.theirs.notes[0].pk]

    def test_it_lists_the_practices_notes_for_the_admin_and_none_for_intake(self) -> None:
        assert len(self.section(self.get(self.admin), "notes")) == 3
        assert "notes" not in self.get(self.intake).context["sections"]

    def test_it_drops_a_signed_note(self) -> None:
        note = self.mine.notes[0]
        note.signed_at = timezone.now()
        note.signed_by = self.therapist
        note.save()

        assert self.section(self.get(self.therapist), "notes") == [self.mine.notes[1].pk]

    def test_it_lists_consents_sent_and_not_signed(self) -> None:
        used = self.mine.consents[1]
        used.used_at = timezone.now()
        used.save()

        assert self.section(self.get(self.therapist), "consents") == [self.mine.consents[0].pk]
        assert len(self.section(self.get(self.intake), "consents")) == 2

    def test_it_lists_measures_due_and_overdue(self) -> None:
        now = timezone.now()
        client = self.mine.clients[0]
        overdue = MeasureLink.objects.create(
            client=client,
            instruments=["gad7"],
            reason=Reason.FOLLOW_UP,
            token_hash=token_hash(new_token()),
            expires_at=now - dt.timedelta(days=2),
            created_by=self.therapist,
        )
        MeasureLink.objects.filter(pk=overdue.pk).update(created_at=now - dt.timedelta(days=9))
        # Expired long ago, or answered, or replaced by a newer link: not listed.
        for days, used in ((60, None), (2, now)):
            MeasureLink.objects.create(
                client=client,
                instruments=["gad7"],
                reason=Reason.BASELINE,
                token_hash=token_hash(new_token()),
                expires_at=now - dt.timedelta(days=days),
                used_at=used,
                created_by=self.therapist,
            )

        page = self.get(self.therapist)

        listed = self.section(page, "measures")
        assert listed == [overdue.pk, *[link.pk for link in self.mine.links]]
        self.assertContains(page, "status-overdue", count=1)
        self.assertContains(page, "status-due", count=2)

    def test_it_lists_referrals_waiting_on_the_practice(self) -> None:
        page = self.get(self.therapist)

        assert len(self.section(page, "referrals")) == 2
        self.assertContains(page, "Needs more information")

    def test_it_shows_a_client_under_emergency_access(self) -> None:
        name_for_break_glass(self.therapist)
        make_grant(self.therapist, self.theirs.clients[0])

        assert len(self.section(self.get(self.therapist), "consents")) == 2 + 1

    def test_it_shows_intake_new_requests_and_open_messages_not_a_therapist(self) -> None:
        page = self.get(self.intake)

        assert len(self.section(page, "requests")) == 1
        assert len(self.section(page, "messages")) == 1
        self.assertContains(page, "Requester0")
        therapist_page = self.get(self.therapist)
        assert "requests" not in therapist_page.context["sections"]
        self.assertNotContains(therapist_page, "Requester0")

    def test_it_counts_beyond_the_rows_it_shows(self) -> None:
        add_front_desk(n=11)

        section = self.get(self.admin).context["sections"]["requests"]

        assert (len(section.rows), section.count, section.more) == (10, 12, True)

    def test_it_shows_an_empty_state_for_each_section(self) -> None:
        newcomer = make_user("newcomer", "therapist")

        page = self.get(newcomer)

        for text in (
            "No appointments today.",
            "No open safety alerts.",
            "No notes waiting to be signed.",
            "No consents waiting.",
            "No measures waiting.",
            "No referral is waiting on the practice.",
        ):
            self.assertContains(page, text)

    def test_it_audits_the_page_with_ids_and_no_names(self) -> None:
        self.get(self.therapist)

        event = AuditEvent.objects.get(action=TODAY_ACTION)
        assert event.actor == self.therapist
        assert event.detail["appointments"] == [a.pk for a in self.mine.appointments]
        assert event.detail["notes"] == [n.pk for n in self.mine.notes]
        assert "Mina" not in str(event.detail)

    def test_it_sends_a_prescriber_to_the_portal(self) -> None:
        self.client.force_login(self.prescriber)

        response = self.client.get(URL)

        self.assertRedirects(response, "/partner/", fetch_redirect_response=False)
        assert not AuditEvent.objects.filter(action=TODAY_ACTION).exists()

    def test_it_sends_an_unrelated_client_nowhere(self) -> None:
        stranger = make_client(first_name="Stranger", assigned_therapist=self.therapist2)
        make_appointment(stranger, self.therapist2, today_at(9))

        self.assertNotContains(self.get(self.therapist), "Stranger")


class PrescriberHomeTestCase(BaseTestCase):
    def test_it_lands_a_prescriber_on_the_portal_after_sign_in(self) -> None:
        data = {"username": "prescriber", "password": PASSWORD}

        response = self.client.post("/staff/sign-in/", data)

        self.assertRedirects(response, "/partner/", fetch_redirect_response=False)

    def test_it_still_follows_a_prescribers_safe_next_url(self) -> None:
        data = {"username": "prescriber", "password": PASSWORD}

        response = self.client.post("/staff/sign-in/?next=/partner/prescriptions/", data)

        self.assertRedirects(response, "/partner/prescriptions/", fetch_redirect_response=False)

    def test_it_sends_a_signed_in_prescriber_to_the_portal(self) -> None:
        self.client.force_login(self.prescriber)

        response = self.client.get("/staff/sign-in/")

        self.assertRedirects(response, "/partner/", fetch_redirect_response=False)

    def test_it_lands_staff_on_today(self) -> None:
        data = {"username": "therapist", "password": PASSWORD}

        response = self.client.post("/staff/sign-in/", data)

        self.assertRedirects(response, "/staff/", fetch_redirect_response=False)
