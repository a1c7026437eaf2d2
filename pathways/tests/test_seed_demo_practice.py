"""The demo practice has something on every page (issue 11 §6): six months of scores,
alerts, a referral at every step, notes signed and to sign, a full week on the
calendar with today's sessions, and what waits at the front desk."""

from __future__ import annotations

import datetime as dt
import io
from itertools import pairwise

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from clients.models import Client
from consents.models import ConsentRequest, ConsentRevocation
from dosing.models import SessionNote
from intake.models import AppointmentRequest, ContactMessage, RequestStatus
from intake.queries import request_matches
from measures.models import MeasureLink, Response
from partners.models import Disclosure, DisclosureKind, Referral, ReferralStatus
from pathways.management.commands._demo_week import monday
from pathways.testing import BaseTestCase
from scheduling.models import Appointment, AppointmentSeries, AppointmentType
from treatment.models import SessionKind, SessionStatus, TreatmentSession
from website.models import Service


class SeedDemoPracticeTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        User.objects.all().delete()
        Service.objects.all().delete()
        call_command("seed_demo", stdout=io.StringIO())

    def test_it_gives_morgan_six_months_of_scores_that_improve_after_dosing(self) -> None:
        morgan = Client.objects.get(last_name="Ellis")
        first_dose = (
            TreatmentSession.objects.filter(course__client=morgan, started_at__isnull=False)
            .filter(kind=SessionKind.DOSING)
            .earliest("started_at")
            .started_at
        )
        assert first_dose is not None
        today = timezone.localdate()
        for code in ("phq9", "gad7"):
            scores = list(
                Response.objects.filter(client=morgan, instrument__code=code).order_by(
                    "answered_at"
                )
            )
            days = [timezone.localdate(r.answered_at) for r in scores]
            assert len(scores) >= 10, code
            assert (today - days[0]).days >= 175
            assert (today - days[-1]).days <= 7
            assert all(2 <= (b - a).days <= 28 for a, b in pairwise(days)), days
            before = [r.total for r in scores if r.answered_at < first_dose]
            after = [r.total for r in scores if r.answered_at > first_dose]
            assert len(after) >= 2
            # Flat while in therapy, lower after the first dose.
            assert max(after) < min(before), (before, after)
        phq9 = Response.objects.filter(client=morgan, instrument__code="phq9")
        flagged = [r for r in phq9 if r.answers["9"] > 0]
        assert len(flagged) == 1
        assert flagged[0].answers["9"] == 1
        assert (today - timezone.localdate(flagged[0].answered_at)).days > 120

    def test_it_shows_morgans_lines_in_the_outcomes_report(self) -> None:
        self.client.force_login(User.objects.get(username="admin"))

        response = self.client.get("/staff/measures/outcomes/")

        result = response.context["result"]
        morgan = Client.objects.get(last_name="Ellis")
        rows = {i.instrument.code: i for i in result.included if i.client_id == morgan.pk}
        assert (rows["phq9"].baseline.total, rows["phq9"].latest.total) == (16, 9)
        assert (rows["gad7"].baseline.total, rows["gad7"].latest.total) == (12, 8)
        chart = self.client.get(f"/staff/measures/outcomes/client/{morgan.pk}/phq9.svg")
        assert chart.status_code == 200
        assert chart["Content-Type"].startswith("image/svg")

    def test_it_has_a_referral_at_every_step(self) -> None:
        statuses = set(Referral.objects.values_list("status", flat=True))

        assert statuses == set(ReferralStatus.values)
        not_eligible = Referral.objects.get(status=ReferralStatus.NOT_ELIGIBLE)
        assert not_eligible.not_eligible_reason
        scheduled = Referral.objects.get(status=ReferralStatus.SCHEDULED)
        assert scheduled.evaluation_at is not None
        assert scheduled.evaluation_at > timezone.now()

    def test_it_has_a_signed_note_with_an_addendum_and_one_to_sign(self) -> None:
        signed = SessionNote.objects.get(session__course__client__last_name="Ellis")
        assert signed.is_signed
        assert signed.addenda.count() == 1
        waiting = SessionNote.objects.filter(signed_at__isnull=True)
        assert waiting.count() == 1
        note = waiting.get()
        assert note.data
        assert note.assessment
        assert note.plan
        assert note.session.status == SessionStatus.COMPLETED

    def test_it_fills_this_week_and_today_on_the_calendar(self) -> None:
        today = timezone.localdate()
        start = timezone.make_aware(dt.datetime.combine(monday(today), dt.time()))
        week = Appointment.objects.filter(
            starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=7)
        )

        assert set(week.values_list("type", flat=True)) == set(AppointmentType.values)
        assert week.values("clinician").distinct().count() >= 2
        assert week.values("room").distinct().count() >= 3
        todays = [a for a in week if timezone.localdate(a.starts_at) == today]
        by_type = {a.type: a for a in todays}
        assert {
            AppointmentType.KAP_DOSING,
            AppointmentType.PREPARATION,
            AppointmentType.INTEGRATION,
        } <= set(by_type)
        dosing = by_type[AppointmentType.KAP_DOSING]
        assert dosing.ends_at - dosing.starts_at == dt.timedelta(hours=3)
        for type_ in (AppointmentType.KAP_DOSING, AppointmentType.PREPARATION):
            session = by_type[type_].session
            assert session is not None
            assert session.planned_date == today
        integration = by_type[AppointmentType.INTEGRATION].session
        assert integration is not None
        assert integration.planned_date == today

    def test_it_books_weekly_therapy_at_the_same_hour_each_week(self) -> None:
        series = Appointment.objects.filter(
            client__last_name="Fox", type=AppointmentType.EMDR
        ).order_by("starts_at")
        times = [timezone.localtime(a.starts_at) for a in series]

        assert len(times) >= 12
        assert {(t.weekday(), t.time()) for t in times} == {(1, dt.time(16))}
        assert all((b - a).days == 7 for a, b in pairwise(times))
        past = [a for a in series if a.ends_at < timezone.now()]
        assert past
        assert all(a.status == "completed" for a in past)

    def test_it_leaves_consents_measures_requests_and_messages_waiting(self) -> None:
        now = timezone.now()
        assert ConsentRequest.objects.open(now).count() == 2
        unanswered = MeasureLink.objects.filter(used_at__isnull=True, cancelled_at__isnull=True)
        assert unanswered.filter(expires_at__gt=now).exists()  # due
        assert unanswered.filter(expires_at__lte=now).exists()  # overdue
        alexis = AppointmentRequest.objects.filter(email="alexis.romero@example.com")
        assert alexis.count() == 2
        first, second = alexis.order_by("created_at")
        # Ten days apart for two services: a possible duplicate, flagged in the inbox.
        assert second.created_at - first.created_at > dt.timedelta(days=1)
        assert first.service_id != second.service_id
        assert request_matches([second], AppointmentRequest.objects.all())[second.pk]
        # The second form, sent again four minutes later, was stored once.
        assert (second.sent_again_count, first.sent_again_count) == (1, 0)
        assert second.sent_again_at is not None
        assert second.sent_again_at - second.created_at == dt.timedelta(minutes=4)
        assert (first.first_name, first.last_name, first.phone) == (
            second.first_name,
            second.last_name,
            second.phone,
        )
        assert AppointmentRequest.objects.filter(status=RequestStatus.NEW).count() >= 4
        assert ContactMessage.objects.filter(handled_at__isnull=True).count() == 2

    def test_it_books_the_weekly_therapy_as_series(self) -> None:
        # Booked with "repeat weekly" (appointment_book_series), at the same hour each week.
        series = AppointmentSeries.objects.all()
        self.assertEqual(series.count(), 2)
        zone = timezone.get_current_timezone()
        for one in series:
            self.assertEqual(one.appointments.count(), one.weeks)
            hours = {a.starts_at.astimezone(zone).hour for a in one.appointments.all()}
            self.assertEqual(len(hours), 1)

    def test_it_accounts_for_the_fhir_api_reads_and_an_export(self) -> None:
        # The accounting of disclosures shows both FHIR kinds (issue 13): the partner's
        # EHR read its clients through the API, never one whose release is revoked, and a
        # therapist downloaded one client's Bundle.
        reads = Disclosure.objects.filter(kind=DisclosureKind.FHIR_API_READ)
        export = Disclosure.objects.get(kind=DisclosureKind.FHIR_EXPORT)

        self.assertGreaterEqual(reads.count(), 1)
        for row in reads:
            self.assertFalse(ConsentRevocation.objects.filter(consent_id=row.release_id).exists())
        self.assertIsNone(export.partner_id)
        self.client.force_login(User.objects.get(username="admin"))
        page = self.client.get(reverse("partners:disclosures", args=[export.client_id]))
        self.assertContains(page, "Downloaded from the chart by staff")
