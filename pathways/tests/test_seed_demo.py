from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Model
from django.test import override_settings
from django.utils import timezone

from accounts.models import Role, User
from audit.chain import verify_chain
from audit.models import AuditEvent
from bls.dose_window import peak_position
from bls.models import BlsType, EmdrRecord
from bls.rules import closing_errors
from bls.timing import DosePosition, dose_timing
from clients.breakglass import may_break_glass
from clients.models import BreakGlassGrant, Client
from dosing import rules
from dosing.models import Administration, AdverseEvent, Discharge, DosingRecord, VitalSigns
from dosing.vitals import out_of_range
from intake.models import AppointmentRequest, ContactMessage, RequestStatus, StatusChange
from measures.alerts.queries import can_acknowledge
from measures.alerts.services import MIN_NOTE_CHARS
from measures.models import AlertAction, Response, SafetyAlert
from pathways.management.commands.seed_demo import DEMO_PASSWORD
from pathways.testing import BaseTestCase
from prescriptions.models import Prescription, RxModality, RxStatus
from prescriptions.queries import EDITABLE_FIELDS
from prescriptions.validation import prescription_problems
from treatment.gate import dosing_readiness
from treatment.models import Modality, SessionKind, SessionStatus, TreatmentSession
from website.models import Service


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


class SeedDemoTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # seed_demo only seeds a practice without its demo users: start empty.
        User.objects.all().delete()
        Service.objects.all().delete()

    def test_it_creates_the_demo_practice(self) -> None:
        output = seed()

        assert "Demo practice created." in output
        roles = dict(User.objects.values_list("username", "role"))
        assert roles == {
            "admin": Role.ADMIN,
            "intake": Role.INTAKE,
            "therapist": Role.THERAPIST,
            "prescriber": Role.PRESCRIBER,
            "oncall": Role.THERAPIST,
        }
        assert sorted(Service.objects.values_list("slug", flat=True)) == [
            "emdr",
            "individual-therapy",
            "ka-emdr",
            "kap",
        ]
        # Five in the inbox, Morgan Ellis's (converted), and Alexis Romero's two (the
        # second sent twice, stored once).
        assert AppointmentRequest.objects.count() == 8
        assert AppointmentRequest.objects.filter(sent_again_count=1).count() == 1
        # Morgan Ellis, Jamie Fox, Drew Patel, four past courses for the outcomes report,
        # and six clients referred (a referral at every step).
        assert Client.objects.count() == 13
        assert ContactMessage.objects.count() == 2

    def test_it_prints_working_logins(self) -> None:
        output = seed()

        for username in ("admin", "intake", "therapist", "prescriber", "oncall"):
            assert re.search(rf"{username}\s.*password: {DEMO_PASSWORD}", output)
            assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
        admin = User.objects.get(username="admin")
        assert admin.is_staff
        assert admin.is_superuser
        assert not User.objects.get(username="intake").is_staff

    def test_it_gives_each_worked_request_its_history(self) -> None:
        seed()

        for appt in AppointmentRequest.objects.exclude(status=RequestStatus.NEW):
            change = StatusChange.objects.get(request=appt)
            assert (change.from_status, change.to_status) == ("new", appt.status)
            assert change.changed_by.username == "intake"
        new = AppointmentRequest.objects.filter(status=RequestStatus.NEW)
        assert not StatusChange.objects.filter(request__in=new).exists()

    def test_it_spreads_the_requests_over_past_days(self) -> None:
        seed()

        inbox = AppointmentRequest.objects.filter(
            last_name__in=["Avery", "Rivera", "Morgan", "Chen", "Brooks"]
        )
        dates = list(inbox.values_list("created_at", flat=True))
        assert len({d.date() for d in dates}) == 5
        assert all(d < timezone.now() - timedelta(hours=23) for d in dates)

    def test_it_uses_fictional_phone_numbers_only(self) -> None:
        seed()

        phones = [
            *AppointmentRequest.objects.values_list("phone", flat=True),
            *Client.objects.values_list("phone", flat=True),
        ]
        assert phones
        assert all(re.fullmatch(r"\(555\) 010-01\d\d", phone) for phone in phones)

    def test_it_assigns_the_demo_clients_to_the_therapist(self) -> None:
        seed()

        therapist = User.objects.get(username="therapist")
        assert set(Client.objects.values_list("assigned_therapist", flat=True)) == {therapist.pk}

    def test_it_revises_morgans_prescription_into_a_second_version(self) -> None:
        seed()

        versions = list(Prescription.objects.filter(client__last_name="Ellis").order_by("version"))
        assert [(rx.version, rx.status) for rx in versions] == [
            (1, RxStatus.SUPERSEDED),
            (2, RxStatus.ACTIVE),
        ]
        v1, v2 = versions
        assert v1.chain_id is None
        assert v2.chain_id == v1.pk
        assert (v1.dose_mg, v2.dose_mg) == (Decimal("150"), Decimal("200"))
        assert v1.created_at < v2.created_at
        assert v2.modality == RxModality.KAP
        assert (v2.fasting_solids_hours, v2.fasting_liquids_hours) == (Decimal("4"), Decimal("2"))
        assert [h["medication"] for h in v2.hold_list()] == ["Benzodiazepines", "ADHD stimulants"]
        assert (v2.booster_mg, v2.booster_after_minutes) == (Decimal("50"), 40)
        assert (v2.min_systolic, v2.max_systolic, v2.min_diastolic, v2.max_diastolic) == (
            90,
            140,
            50,
            90,
        )
        assert (v2.hr_min, v2.hr_max, v2.spo2_min, v2.spo2_max) == (50, 110, 94, 100)

    def test_it_writes_only_prescriptions_the_prescriber_could_have_written(self) -> None:
        seed()

        for rx in Prescription.objects.all():
            values = {name: getattr(rx, name) for name in EDITABLE_FIELDS}
            assert prescription_problems(values) == {}, rx

    def test_it_records_morgans_past_dosing_session(self) -> None:
        seed()

        record = DosingRecord.objects.get(session__course__client__last_name="Ellis")
        v1 = Prescription.objects.get(client__last_name="Ellis", version=1)
        session = record.session
        assert session.status == SessionStatus.COMPLETED
        assert session.prescription == record.prescription == v1
        assert session.started_at is not None
        assert timezone.now() - session.started_at > timedelta(days=13)
        dose = record.administrations.get(kind=Administration.Kind.DOSE)
        booster = record.administrations.get(kind=Administration.Kind.BOOSTER)
        assert dose.prescription == booster.prescription == v1
        assert dose.given_by is not None
        assert dose.given_by.username == "therapist"
        assert dose.witnessed_by.username == "admin"
        assert not dose.self_administered
        assert booster.given_at - dose.given_at >= timedelta(minutes=40)
        assert record.holds_answers == {"Benzodiazepines": "held", "ADHD stimulants": "held"}
        assert (record.fasting_hours, record.fasting_liquids_hours) == (Decimal("5"), Decimal("3"))
        assert (record.risk_check_method, record.risk_check_outcome) == ("cssrs", "no_risk")
        assert record.risk_check_at is not None
        assert timezone.localdate(record.risk_check_at) == timezone.localdate(dose.given_at)
        event = record.adverse_events.get()
        assert (event.type, event.severity, event.serious) == ("nausea", "mild", False)
        assert "Ondansetron" in event.rescue_medication
        discharge = record.discharge
        assert discharge.told_no_driving
        assert discharge.observation_time_met
        assert discharge.exception_reason == ""
        assert record.vitals.filter(phase=VitalSigns.Phase.DISCHARGE).exists()
        assert session.note.is_signed
        assert session.note.signed_at is not None
        assert session.note.signed_at > discharge.discharged_at

    def test_it_keeps_every_past_dosing_session_within_the_rules(self) -> None:
        seed()

        records = DosingRecord.objects.select_related("session", "discharge")
        assert records.count() == 6
        for record in records:
            dose = record.administrations.get(kind=Administration.Kind.DOSE)
            discharge = record.discharge
            assert rules.dosing_clearance(record, dose.given_at) == (True, [])
            assert rules.peak_check(record)[0]
            assert rules.observation_check(record, discharge.discharged_at)[0]
            assert rules.discharge_vitals_check(record)[0]
            assert record.risk_check_at is not None
            assert record.predose_checked_at is not None
            assert record.predose_checked_at < dose.given_at
            assert record.risk_check_at < dose.given_at
            for vitals in record.vitals.all():
                assert out_of_range(vitals, record.prescription) == [], vitals
            # A set at least every 15 minutes from the dose until discharge.
            taken = list(
                record.vitals.filter(taken_at__gt=dose.given_at).values_list("taken_at", flat=True)
            )
            gaps = [b - a for a, b in pairwise([dose.given_at, *taken])]
            assert max(gaps) <= timedelta(minutes=15)
            phq9 = Response.objects.filter(
                client=record.session.course.client,
                instrument__code="phq9",
                answered_at__lt=dose.given_at,
                answered_at__gte=dose.given_at - timedelta(hours=72),
            )
            assert phq9.exists()
            assert record.session.status == SessionStatus.COMPLETED
            assert record.session.course.sessions.filter(
                kind=SessionKind.PREPARATION,
                status=SessionStatus.COMPLETED,
                completed_at__lt=dose.given_at,
            ).exists()
        assert Discharge.objects.filter(told_no_driving=True).count() == 6

    def test_it_records_a_self_administered_ka_emdr_dose(self) -> None:
        seed()

        dose = Administration.objects.get(
            kind=Administration.Kind.DOSE, record__session__course__client__last_name="Haddad"
        )
        assert dose.self_administered
        assert dose.given_by is None
        assert dose.witnessed_by.role in (Role.THERAPIST, Role.ADMIN)
        assert dose.dose_mg == Decimal("50")
        assert dose.route == "sublingual"
        assert dose.prescription is not None
        assert dose.prescription.modality == RxModality.KA_EMDR
        assert dose.record.session.course.modality == Modality.KA_EMDR

    def test_it_gives_each_ka_emdr_dosing_session_its_emdr_record(self) -> None:
        seed()

        closures = []
        for record in EmdrRecord.objects.select_related("session__course__client"):
            assert record.session is not None
            dose = record.session.dosing_record.administrations.get(kind=Administration.Kind.DOSE)
            marks = list(record.phase_marks.all())
            position = dose_timing(dose_at=dose.given_at, marks=marks)
            assert position is not None
            assert position.position == DosePosition.DURING_DESENSITISATION
            assert (
                closing_errors(
                    closure=record.closure,
                    body_scan=record.body_scan,
                    sud_end=record.sud_end,
                    voc_end=record.voc_end,
                    closure_reason=record.closure_reason,
                )
                == {}
            )
            assert record.sets.exists()
            closures.append((record.client.last_name, record.closure))
        # Devon Walsh's first session closed incomplete; the second finished the target.
        assert sorted(closures) == [
            ("Haddad", "complete"),
            ("Walsh", "complete"),
            ("Walsh", "incomplete"),
        ]

    def test_it_shows_display_sets_and_a_peak_after_the_planned_end(self) -> None:
        seed()

        walsh = EmdrRecord.objects.filter(session__course__client__last_name="Walsh")
        first, second = walsh.order_by("created_at")
        # The first session planned to end before the sublingual peak: flagged.
        assert first.session is not None
        dose = first.session.dosing_record.administrations.get(kind=Administration.Kind.DOSE)
        position = peak_position(
            dose_at=dose.given_at,
            route=dose.route,
            marks=list(first.phase_marks.all()),
            planned_end=first.planned_reprocessing_end,
        )
        assert position is not None
        assert position.after_planned_end
        # The second ran its sets on the BLS display; one was interrupted.
        sets = list(second.sets.all())
        assert all(s.from_display and s.bls_type == BlsType.BOTH for s in sets)
        assert [s.number for s in sets if s.interrupted] == [3]
        assert all(s.passes and s.passes <= 24 for s in sets)
        assert not first.sets.filter(from_display=True).exists()

    def test_it_gives_the_prescriber_an_api_token_in_use_and_one_revoked(self) -> None:
        from interop.models import ApiToken

        seed()

        tokens = ApiToken.objects.filter(prescriber__username="prescriber").order_by("created_at")
        assert [t.state() for t in tokens] == ["revoked", "active"]
        assert tokens[1].last_used_at is not None
        assert AuditEvent.objects.filter(action="fhir.token_issue").count() == 2

    def test_it_imports_jamies_previous_providers_measures_from_a_fhir_file(self) -> None:
        seed()

        imported = Response.objects.filter(client__last_name="Fox", source="fhir").order_by(
            "instrument__code"
        )
        assert [(r.instrument.code, r.total) for r in imported] == [("gad7", 13), ("phq9", 14)]
        assert all(
            r.entered_by is not None and r.entered_by.role == Role.THERAPIST for r in imported
        )
        assert all(r.answered_at < r.client.created_at for r in imported)
        assert AuditEvent.objects.filter(action="client.fhir_import").count() == 1

    def test_it_seeds_two_acknowledged_safety_alerts_and_an_open_one(self) -> None:
        seed()

        alerts = {a.client.last_name: a for a in SafetyAlert.objects.select_related("client")}
        assert set(alerts) == {"Walsh", "Ellis", "Fox"}
        for alert in alerts.values():
            # Raised by the measures service from a real answer: item 9 answered 1.
            assert (alert.instrument.code, alert.item, alert.value) == ("phq9", 9, 1)
            assert alert.response is not None
            assert alert.response.answers["9"] == 1
            assert alert.raised_at == alert.response.answered_at
        for name in ("Walsh", "Ellis"):
            alert = alerts[name]
            assert alert.action == AlertAction.SAFETY_PLAN
            assert len(alert.action_note) >= MIN_NOTE_CHARS
            assert alert.acknowledged_at is not None
            assert alert.raised_at < alert.acknowledged_at < timezone.now()
            assert alert.acknowledged_by is not None
            assert can_acknowledge(alert.acknowledged_by)
        assert alerts["Fox"].acknowledged_at is None
        assert User.objects.get(username="admin").is_clinician
        # Every other PHQ-9 leaves item 9 at 0.
        flagged = [a.response.pk for a in alerts.values() if a.response]
        others = Response.objects.filter(instrument__code="phq9").exclude(pk__in=flagged)
        assert all(r.answers["9"] == 0 for r in others)

    def test_it_leaves_todays_dosing_session_waiting_only_for_the_escort(self) -> None:
        seed()

        session = TreatmentSession.objects.get(
            course__client__last_name="Ellis", status=SessionStatus.PLANNED
        )
        checks, rx = dosing_readiness(session)
        assert [c.key for c in checks if not c.ok] == ["escort"]
        assert rx is not None
        assert rx.version == 2

    def test_it_shows_every_state_in_the_outcomes_report(self) -> None:
        seed()
        self.client.force_login(User.objects.get(username="admin"))

        response = self.client.get("/staff/measures/outcomes/")

        assert response.status_code == 200
        self.assertContains(response, "not in the response/remission denominator: baseline ≤ 9")
        result = response.context["result"]
        rows = {
            (Client.objects.get(pk=i.client_id).last_name, i.instrument.code): i
            for i in result.included
        }
        assert {name for name, _ in rows} == {"Ellis", "Nguyen", "Shaw", "Haddad", "Walsh"}
        nguyen = rows["Nguyen", "phq9"]
        assert (nguyen.baseline.total, nguyen.latest.total) == (18, 7)
        assert nguyen.judged.response
        assert nguyen.in_denominator
        assert (rows["Nguyen", "gad7"].baseline.total, rows["Nguyen", "gad7"].latest.total) == (
            14,
            9,
        )
        shaw = rows["Shaw", "phq9"]
        assert (shaw.baseline.total, shaw.latest.total, shaw.in_denominator) == (8, 5, False)
        haddad = rows["Haddad", "pcl5"]
        assert (haddad.baseline.total, haddad.latest.total) == (52, 38)
        assert haddad.modality == Modality.KA_EMDR
        assert haddad.judged.reliable
        walsh = rows["Walsh", "pcl5"]
        assert (walsh.baseline.total, walsh.latest.total) == (30, 42)
        assert walsh.judged.reliable_deterioration
        assert nguyen.first_dose_at > timezone.now() - timedelta(days=103)
        assert nguyen.first_dose_at < timezone.now() - timedelta(days=99)

    def test_it_adds_nothing_when_run_again(self) -> None:
        seed()
        models: list[type[Model]] = [
            User,
            Client,
            Prescription,
            TreatmentSession,
            DosingRecord,
            Administration,
            AdverseEvent,
            VitalSigns,
            Response,
            SafetyAlert,
            AppointmentRequest,
            BreakGlassGrant,
        ]
        before = {model.__name__: model._default_manager.count() for model in models}

        output = seed()

        assert "already there; nothing changed" in output
        assert {model.__name__: model._default_manager.count() for model in models} == before

    def test_it_names_the_on_call_therapist_for_emergency_access_with_a_past_grant(self) -> None:
        seed()

        on_call = User.objects.get(username="oncall")
        assert may_break_glass(on_call)
        assert not may_break_glass(User.objects.get(username="therapist"))
        grant = BreakGlassGrant.objects.get()
        assert grant.user == on_call
        assert grant.ended_at is not None
        assert grant.started_at < grant.ended_at < grant.expires_at
        assert len(grant.reason) >= 15
        assert not Client.objects.filter(assigned_therapist=on_call).exists()

    @override_settings(PRODUCTION=True)
    def test_it_refuses_to_run_in_production(self) -> None:
        with pytest.raises(CommandError, match="refused in production"):
            seed()

        assert not User.objects.exists()
        assert not AppointmentRequest.objects.exists()

    def test_it_leaves_a_trail_for_the_audit_report_from_the_real_views(self) -> None:
        seed()

        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {
            "auth.login",
            "auth.login_failed",
            "auth.logout",
            "client.view",
            "access.refused",
            "outcomes.export",
        } <= actions
        refused = AuditEvent.objects.get(action="access.refused")
        assert (refused.actor_username, refused.detail["status"]) == ("therapist", 403)
        assert verify_chain().ok


class SeedDemoAgainTestCase(BaseTestCase):
    def test_it_changes_nothing_when_the_demo_users_exist(self) -> None:
        requests_before = AppointmentRequest.objects.count()
        users_before = User.objects.count()

        output = seed()

        assert "already there; nothing changed" in output
        assert "Demo logins" in output
        assert AppointmentRequest.objects.count() == requests_before
        assert User.objects.count() == users_before
        assert list(Service.objects.values_list("slug", flat=True)) == ["kap"]
