"""The prescriber's home is the portal (issue 11 §1): referrals waiting for them,
dosing sessions this week, prescriptions ending in the next 14 days, and the list
pages /partner/prescriptions/ and /partner/sessions/: only their organisation's
referred clients, only while the release of information is in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.actor import Actor
from audit.models import AuditEvent
from clients.models import Client
from consents.services import consent_revoke
from dosing.models import DosingRecord
from partners.models import Disclosure, Referral, ReferralStatus
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_course,
    make_prescription,
    make_referral,
    make_session,
)
from prescriptions.models import Prescription
from treatment.models import SessionKind, SessionStatus, TreatmentSession


class PortalTodayTestCase(BaseTestCase):
    def treat(
        self, first_name: str, partner: Any, prescriber: Any, ends_in: int = 90
    ) -> tuple[Client, Referral, Prescription, TreatmentSession]:
        """A referred client with a prescription ending in `ends_in` days and a dosing
        session started today, its record open."""
        client = make_client(
            first_name=first_name, last_name="Rx", assigned_therapist=self.therapist
        )
        referral = make_referral(client, partner, self.therapist, status=ReferralStatus.ELIGIBLE)
        today = timezone.localdate()
        rx = make_prescription(referral, prescriber, valid_to=today + dt.timedelta(days=ends_in))
        session = make_session(
            make_course(client, self.therapist),
            SessionKind.DOSING,
            status=SessionStatus.IN_PROGRESS,
            started_at=timezone.now(),
            started_by=self.therapist,
            prescription=rx,
        )
        DosingRecord.objects.create(session=session, prescription=rx, opened_by=self.therapist)
        return client, referral, rx, session

    def setUp(self) -> None:
        super().setUp()
        _, self.referral, self.rx, self.session = self.treat(
            "Ottilie", self.partner, self.prescriber, ends_in=10
        )
        # Another partner's client: never shown to this prescriber.
        self.treat("Quentin", self.partner2, self.prescriber2, ends_in=5)
        # A client whose release was revoked: hidden everywhere in the portal.
        _, revoked, _, _ = self.treat("Renata", self.partner, self.prescriber, ends_in=3)
        consent_revoke(
            actor=Actor.for_user(self.admin), signed=revoked.release, reason="Withdrew."
        )
        self.waiting = make_referral(
            make_client(first_name="Wilhelmina"), self.partner, self.therapist
        )
        self.client.force_login(self.prescriber)

    def sections(self, response: Any) -> dict[str, Any]:
        return {section.key: section for section in response.context["sections"]}

    def test_it_shows_the_prescriber_what_waits_for_them(self) -> None:
        response = self.client.get("/partner/")

        sections = self.sections(response)
        assert [r.pk for r in sections["waiting"].rows] == [self.waiting.pk]
        assert [s.pk for s in sections["sessions"].rows] == [self.session.pk]
        assert [rx.pk for rx in sections["expiring"].rows] == [self.rx.pk]
        self.assertContains(response, f'href="/partner/prescriptions/{self.rx.pk}/"')
        record = self.session.dosing_record
        self.assertContains(response, f'href="/partner/sessions/{record.pk}/"')
        for name in ("Quentin", "Renata"):
            self.assertNotContains(response, name)

    def test_it_leaves_out_a_prescription_ending_later(self) -> None:
        Prescription.objects.filter(pk=self.rx.pk).update(
            valid_to=timezone.localdate() + dt.timedelta(days=15)
        )

        response = self.client.get("/partner/")

        assert self.sections(response)["expiring"].rows == []
        self.assertContains(response, "No active prescription ends in the next 14 days.")

    def test_it_leaves_out_a_session_of_another_week(self) -> None:
        TreatmentSession.objects.filter(pk=self.session.pk).update(
            started_at=timezone.now() - dt.timedelta(days=8)
        )

        response = self.client.get("/partner/")

        assert self.sections(response)["sessions"].rows == []
        self.assertContains(response, "No dosing session this week.")

    def test_it_lists_the_prescriptions(self) -> None:
        response = self.client.get("/partner/prescriptions/")

        assert response.status_code == 200
        assert [rx.pk for rx in response.context["page"]] == [self.rx.pk]
        self.assertContains(response, "Ottilie Rx")
        self.assertContains(response, "Ends soon")
        for name in ("Quentin", "Renata"):
            self.assertNotContains(response, name)
        assert "no-store" in response["Cache-Control"]

    def test_it_lists_the_sessions(self) -> None:
        response = self.client.get("/partner/sessions/")

        assert response.status_code == 200
        assert [s.pk for s in response.context["page"]] == [self.session.pk]
        self.assertContains(response, "Ottilie Rx")
        for name in ("Quentin", "Renata"):
            self.assertNotContains(response, name)
        assert "no-store" in response["Cache-Control"]

    def test_it_hides_a_client_once_the_release_is_revoked(self) -> None:
        consent_revoke(
            actor=Actor.for_user(self.admin), signed=self.referral.release, reason="Withdrew."
        )

        for url in ("/partner/", "/partner/prescriptions/", "/partner/sessions/"):
            with self.subTest(url=url):
                self.assertNotContains(self.client.get(url), "Ottilie")

    def test_it_audits_the_lists_with_ids_and_accounts_for_the_disclosure(self) -> None:
        for url, action, key, pk in (
            ("/partner/prescriptions/", "prescription.list", "prescriptions", self.rx.pk),
            ("/partner/sessions/", "dosing.session_list", "sessions", self.session.pk),
        ):
            with self.subTest(url=url):
                before = Disclosure.objects.count()

                self.client.get(url)

                event = AuditEvent.objects.filter(action=action).latest("pk")
                assert event.detail[key] == [pk]
                assert "Ottilie" not in str(event.detail)
                disclosed = Disclosure.objects.order_by("-pk").first()
                assert Disclosure.objects.count() == before + 1
                assert disclosed is not None
                assert disclosed.client_id == self.rx.client_id

    def test_it_pages_the_prescriptions(self) -> None:
        for n in range(26):
            self.treat(f"Many{n}", self.partner, self.prescriber)

        response = self.client.get("/partner/prescriptions/?page=2")

        assert len(response.context["page"]) == 2
        self.assertContains(response, "Page 2 of 2")

    def test_it_refuses_practice_staff(self) -> None:
        self.client.force_login(self.therapist)

        for url in ("/partner/prescriptions/", "/partner/sessions/"):
            with self.subTest(url=url):
                assert self.client.get(url).status_code == 403
