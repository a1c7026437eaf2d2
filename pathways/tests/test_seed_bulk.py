"""`seed_demo --clients N`: the bulk practice group (issue 14 §1), built with 30 clients.

A plain `django.test.TestCase`, not `pathways.testing.BaseTestCase`: the bulk practice
is built only in an empty database, and BaseTestCase's users would stop it.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections import Counter, defaultdict
from itertools import pairwise
from typing import Any

from django.core.management import CommandError, call_command
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.test import TestCase
from django.utils import timezone

from accounts.models import Role, User
from audit.chain import verify_chain
from audit.models import AuditEvent
from bls.models import DesensitisationSet, EmdrRecord
from clients.models import Client
from dosing import rules
from dosing.models import Administration, DosingRecord
from dosing.vitals import out_of_range
from intake.models import AppointmentRequest, name_key
from measures.models import Response, SafetyAlert
from measures.scoring import score
from measures.services import cut_point_for
from partners.models import Partner, Referral
from pathways.management.commands._bulk_common import fictional_phone
from pathways.management.commands._bulk_names import FIRST, email_address, person_name
from prescriptions.models import Prescription
from scheduling.models import BLOCKING_STATUSES, Appointment, Room
from treatment.models import Modality, SessionKind, TreatmentCourse

CLIENTS = 30


def seed_bulk(clients: int = CLIENTS, seed: int = 14) -> str:
    out = io.StringIO()
    call_command("seed_demo", clients=clients, seed=seed, stdout=out)
    return out.getvalue()


def per_client(model: type[models.Model]) -> float:
    return model._default_manager.count() / CLIENTS


class BulkPracticeTestCase(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed_bulk()

    def test_it_builds_each_model_in_its_expected_range(self) -> None:
        assert "Practice group of 30 clients created." in self.output
        roles: defaultdict[str, int] = defaultdict(int)
        for role in User.objects.values_list("role", flat=True):
            roles[role] += 1
        # 15 clinicians over 3 sites, a front desk per site, 5 partners with 2 prescribers.
        assert roles == {Role.ADMIN: 1, Role.INTAKE: 3, Role.THERAPIST: 15, Role.PRESCRIBER: 10}
        sites = {name.split(" · ")[0] for name in Room.objects.values_list("name", flat=True)}
        assert sites == {"Richmond", "Charlottesville", "Norfolk"}
        assert Partner.objects.count() == 5
        assert Client.objects.count() == CLIENTS
        assert not Client.objects.filter(service_of_interest="").exists()
        assert not AppointmentRequest.objects.filter(service__isnull=True).exists()
        assert AppointmentRequest.objects.count() == CLIENTS + CLIENTS // 5
        assert 18 <= per_client(Appointment) <= 35
        assert 15 <= per_client(Response) <= 60
        assert 120 <= per_client(AuditEvent) <= 400
        courses = TreatmentCourse.objects.all()
        assert courses.count() >= 5
        assert Referral.objects.count() >= courses.count()
        assert Prescription.objects.count() >= courses.count()
        # 3–8 dosing sessions a course (fewer when it stopped or is under way), and
        # about 8 vitals sets each (10 after a booster).
        for course in courses:
            dosing = course.sessions.filter(kind=SessionKind.DOSING).count()
            assert dosing <= course.planned_dosing <= 8
            assert course.planned_dosing >= 3
        for record in DosingRecord.objects.all():
            assert record.vitals.count() in (8, 10)
        emdr_courses = courses.filter(modality=Modality.KA_EMDR)
        assert (
            EmdrRecord.objects.count()
            == DosingRecord.objects.filter(session__course__in=emdr_courses).count()
        )
        assert EmdrRecord.objects.count() > 0
        assert DesensitisationSet.objects.count() >= 6 * EmdrRecord.objects.count()

    def test_it_scores_every_response_as_the_instrument_does(self) -> None:
        responses = Response.objects.select_related("instrument")
        assert responses.count() > 0
        codes = set()
        for response in responses:
            instrument = response.instrument
            codes.add(instrument.code)
            answers = {int(k): v for k, v in response.answers.items()}
            expected = score(
                instrument.definition,
                answers,
                unscored=response.unscored,
                cut_point=cut_point_for(instrument),
            )
            stored = (
                response.total,
                response.band_key,
                response.band_label,
                response.subscores,
                response.provisional,
            )
            assert stored == (
                expected.total,
                expected.band_key,
                expected.band_label,
                expected.subscores,
                expected.provisional,
            ), response.pk
            assert response.definition_version == instrument.version
            alerts = SafetyAlert.objects.filter(response=response).count()
            assert alerts == len(expected.safety_flags), response.pk
        assert codes == {"phq9", "gad7", "pcl5"}

    def test_it_doses_within_the_prescription_in_force_and_witnessed(self) -> None:
        given = Administration.objects.select_related(
            "record__session__course", "prescription"
        ).order_by("given_at")
        assert given.count() > 0
        for dose in given:
            record, rx = dose.record, dose.prescription
            assert rx is not None
            assert dose.witnessed_by_id is not None
            assert (dose.given_by_id is None) == dose.self_administered
            assert dose.witnessed_by_id != dose.given_by_id
            # The version in force when it was given: written before it, none after.
            assert rx.created_at < dose.given_at
            later = rx.chain_versions().filter(
                created_at__lte=dose.given_at, version__gt=rx.version
            )
            assert not later.exists()
            assert rx.valid_from <= timezone.localdate(dose.given_at) <= rx.valid_to
            assert rx.authorises(record.session.course.modality)
            assert dose.route == rx.route
            first = None
            if dose.kind == Administration.Kind.BOOSTER:
                opening = record.administrations.get(kind=Administration.Kind.DOSE)
                first = opening.dose_mg
                assert rx.booster_after_minutes is not None
                wait = dt.timedelta(minutes=rx.booster_after_minutes)
                assert dose.given_at >= opening.given_at + wait
            assert rules.amount_refusals(rx, dose.kind, dose.dose_mg, first) == []
        for record in DosingRecord.objects.all():
            rx = rules.rx_in_force(record)
            dosed = rules.dose_given(record)
            assert dosed is not None
            assert rules.dosing_clearance(record, at=dosed.given_at) == (True, [])
            for vitals in record.vitals.all():
                assert out_of_range(vitals, rx) == [], vitals.pk
            discharge = record.discharge
            assert rules.observation_check(record, discharge.discharged_at)[0]
            assert rules.peak_check(record)[0]
            assert rules.discharge_vitals_check(record)[0]
        for rx in Prescription.objects.filter(chain__isnull=True):
            used = rx.sessions_used()
            assert used <= rx.sessions_authorised

    def test_it_never_double_books_a_clinician_or_a_room(self) -> None:
        booked = Appointment.objects.filter(status__in=BLOCKING_STATUSES)
        for key in ("clinician_id", "room_id", "client_id"):
            by: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
            for owner, starts, ends in booked.values_list(key, "starts_at", "ends_at"):
                by[owner].append((starts, ends))
            for owner, times in by.items():
                for (_, ends), (starts, _) in pairwise(sorted(times)):
                    assert ends <= starts, (key, owner, starts)

    def test_it_keeps_the_audit_trail_one_unbroken_chain(self) -> None:
        out = io.StringIO()
        call_command("audit_verify", stdout=out)
        count = AuditEvent.objects.count()
        assert out.getvalue().startswith(f"OK: {count} audit entries")
        report = verify_chain()
        assert report.ok
        assert report.count == count
        times = list(AuditEvent.objects.order_by("id").values_list("at", flat=True))
        assert times == sorted(times)
        assert times[-1] <= timezone.now()
        # Two years of it, not the moment of the seed.
        assert times[0] < timezone.now() - dt.timedelta(days=700)

    def test_it_stores_what_save_would_compute_and_encrypts_the_clinical_text(self) -> None:
        for client in Client.objects.all():
            assert client.phone_digits == "".join(c for c in client.phone if c.isdigit())
        for request in AppointmentRequest.objects.all():
            assert request.name_key == name_key(request.first_name, request.last_name)
            assert request.created_at < timezone.now() - dt.timedelta(hours=1) or (
                request.status == "new"
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, goals FROM treatment_treatmentcourse")
            raw = dict(cursor.fetchall())
        goals = dict(TreatmentCourse.objects.values_list("id", "goals"))
        assert len(set(raw.values())) == len(raw)  # equal texts, a fresh IV each
        for pk, stored in raw.items():
            assert stored.startswith("gAAAAA")  # a Fernet token
            assert goals[pk]
            assert goals[pk] != stored

    def test_it_gives_only_fictional_numbers(self) -> None:
        phones = [
            *Client.objects.values_list("phone", flat=True),
            *AppointmentRequest.objects.values_list("phone", flat=True),
        ]
        assert phones
        # 555-0100 to 555-0199: reserved for fiction in every area code (NANPA).
        assert all(re.fullmatch(r"\([2-9]\d\d\) 555-01\d\d", phone) for phone in phones), phones

    def test_it_records_nothing_done_after_now(self) -> None:
        now = timezone.now()
        done: list[tuple[type[models.Model], str]] = [
            (Response, "answered_at"),
            (Administration, "given_at"),
            (Prescription, "created_at"),
            (SafetyAlert, "acknowledged_at"),
            (Referral, "updated_at"),
            (TreatmentCourse, "created_at"),
            (Client, "created_at"),
            (AppointmentRequest, "updated_at"),
            (Appointment, "created_at"),
            (Appointment, "completed_at"),
        ]
        for model, name in done:
            late = model._default_manager.filter(**{f"{name}__gt": now})
            assert not late.exists(), (model.__name__, name)
        # Only what is booked lies ahead: scheduled appointments, planned sessions.
        ahead = Appointment.objects.filter(starts_at__gt=now)
        assert set(ahead.values_list("status", flat=True)) <= {"scheduled"}
        assert ahead.exists()

    def test_it_refuses_to_build_a_second_practice_beside_the_first(self) -> None:
        before = {m: m._default_manager.count() for m in (Client, Appointment, AuditEvent)}
        with self.assertRaisesRegex(CommandError, "empty database"):
            seed_bulk(clients=5)
        after = {m: m._default_manager.count() for m in (Client, Appointment, AuditEvent)}
        assert after == before


def test_it_varies_the_numbers_as_a_large_practice_does() -> None:
    """At 10,000 clients, no two share a number, nor with the requests that never became
    clients: a shared number would make the inbox's duplicate check match many."""
    clients = {fictional_phone(index) for index in range(10_000)}
    requests = {fictional_phone(index, second_half=True) for index in range(10_000)}
    assert len(clients) == len(requests) == 10_000
    assert not clients & requests
    assert not any(re.match(r"\(\d11\)", phone) for phone in clients | requests)


def test_it_names_people_as_a_large_practice_does() -> None:
    """At 10,000 clients (22,000 people with the requests), about one in ten shares a
    first and last name with someone, and no name is shared by many: the inbox's duplicate
    check compares names, and a practice of namesakes would flag every request."""
    rng, drawn = random.Random(14), random.Random("names 14")  # noqa: S311  (names)
    names = Counter(name_key(*person_name(rng, drawn)) for _ in range(22_000))
    shared = sum(count for count in names.values() if count > 1)
    assert shared / 22_000 < 0.15
    assert max(names.values()) <= 5


def test_it_gives_every_name_an_address_the_forms_accept() -> None:
    """A client's or a requester's invented address passes Django's e-mail check, the
    accented first names (José, Renée, Zoë) too."""
    for first in FIRST:
        for tag in ("12", ".r12"):
            validate_email(email_address(first, "Ashford", tag))


def audit_indexes() -> dict[str, tuple[tuple[str, ...], bool]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, AuditEvent._meta.db_table)
    return {
        name: (tuple(c["columns"]), bool(c["unique"])) for name, c in found.items() if c["index"]
    }


class BulkTrailIndexesTestCase(TestCase):
    def test_it_leaves_the_trails_indexes_as_the_migrations_made_them(self) -> None:
        # The bulk trail drops the plain indexes for its insert and makes them again.
        before = audit_indexes()

        seed_bulk(clients=5)

        assert AuditEvent.objects.exists()
        assert audit_indexes() == before
        assert len(before) >= 9


class BulkOutcomesVersionTestCase(TestCase):
    def test_it_leaves_the_outcomes_version_watching_after_the_seed(self) -> None:
        # On PostgreSQL the seed turns the version's triggers off while it inserts
        # (_bulk_seed.outcomes_triggers_off): they must be on again after it.
        from measures.models import OutcomesDataVersion

        seed_bulk(clients=5)

        before = OutcomesDataVersion.objects.get(pk=1).token
        Response.objects.filter(pk=Response.objects.values("pk")[:1]).update(total=0)
        assert OutcomesDataVersion.objects.get(pk=1).token != before


class BulkPracticeBesideTheDemoTestCase(TestCase):
    def test_it_refuses_to_build_on_top_of_the_demo(self) -> None:
        demo = io.StringIO()
        call_command("seed_demo", stdout=demo)
        assert "Demo practice created." in demo.getvalue()  # the demo as before
        clients = Client.objects.count()
        with self.assertRaisesRegex(CommandError, "empty database"):
            seed_bulk(clients=5)
        assert Client.objects.count() == clients

    def test_it_leaves_the_bulk_practice_alone_when_the_demo_is_asked_for_after_it(self) -> None:
        seed_bulk(clients=5)
        counts = {m: m._default_manager.count() for m in (Client, Appointment, AuditEvent)}
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        assert "nothing changed" in out.getvalue()
        assert {m: m._default_manager.count() for m in counts} == counts


class BulkPracticeDeterminismTestCase(TestCase):
    def _fingerprint(self, seed: int) -> list[Any]:
        """What the seed decides (not the moment it runs): rolled back afterwards."""
        found: list[Any] = []

        class Done(Exception):
            pass

        try:
            with transaction.atomic():
                seed_bulk(clients=8, seed=seed)
                found += list(
                    Appointment.objects.order_by("id").values_list(
                        "client__first_name", "clinician__username", "type", "starts_at"
                    )
                )
                found += list(Response.objects.order_by("id").values_list("total", "answers"))
                found += list(
                    Administration.objects.order_by("id").values_list("dose_mg", "given_at")
                )
                raise Done
        except Done:
            pass
        return found

    def test_it_builds_the_same_practice_from_the_same_seed(self) -> None:
        first = self._fingerprint(14)
        assert first
        assert self._fingerprint(14) == first
        assert self._fingerprint(15) != first
