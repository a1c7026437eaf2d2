"""The client record's services refuse what the forms refuse, also when called without
a form: nothing is stored or changed, and nothing is audited."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role
from audit.models import AuditEvent
from clients.forms import ClientForm
from clients.models import Allergy, Client, ClientStatus, Diagnosis, ReportedMedication
from clients.services import (
    DETAIL_FIELDS,
    ClientDetails,
    ClientError,
    allergy_add,
    client_create,
    client_update,
    diagnosis_add,
    medication_add,
    record_item_end,
)
from pathways.testing import BaseTestCase, make_client, make_user

GOOD = ClientDetails(first_name="Nell", last_name="Harper", phone="(555) 010-0100", state="va")


class ClientInvariantTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.actor = Actor.for_user(self.intake)

    def test_it_creates_a_record_with_the_form_s_normalising(self) -> None:
        client = client_create(actor=self.actor, details=GOOD)

        assert client.state == "VA"
        assert client.created_by == self.intake
        assert AuditEvent.objects.get().action == "client.create"

    def test_it_refuses_values_the_form_would_refuse(self) -> None:
        retired = make_user("retired", Role.THERAPIST, is_active=False)
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        cases: list[tuple[str, Any]] = [
            ("first_name", ""),
            ("last_name", "x" * 81),
            ("email", "nell@"),
            ("phone", "010-01"),
            ("emergency_contact_phone", "1" * 16),
            ("escort_phone", "12"),
            ("state", "Virginia"),
            ("date_of_birth", tomorrow),
            ("date_of_birth", dt.date(1899, 12, 31)),
            ("status", "deceased"),
            ("assigned_therapist", self.prescriber),
            ("assigned_therapist", retired),
        ]
        for field, value in cases:
            with self.subTest(field=field, value=value):
                with pytest.raises(ClientError) as caught:
                    client_create(
                        actor=self.actor, details=dataclasses.replace(GOOD, **{field: value})
                    )
                assert caught.value.field == field
        assert not Client.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_it_refuses_an_update_the_form_would_refuse(self) -> None:
        record = make_client(first_name="Nell", last_name="Harper", city="Richmond")
        details = dataclasses.replace(GOOD, city="Norfolk", phone="12")

        with pytest.raises(ClientError) as caught:
            client_update(actor=self.actor, client=record, details=details)

        assert caught.value.field == "phone"
        record.refresh_from_db()
        assert record.city == "Richmond"
        assert not AuditEvent.objects.exists()

    def test_it_moves_a_status_only_as_the_transition_table_allows(self) -> None:
        record = make_client(status=ClientStatus.ACTIVE)
        back = dataclasses.replace(GOOD, status=ClientStatus.PROSPECTIVE)

        with pytest.raises(ClientError) as caught:
            client_update(actor=self.actor, client=record, details=back)

        assert caught.value.field == "status"
        record.refresh_from_db()
        assert record.status == ClientStatus.ACTIVE
        assert not AuditEvent.objects.exists()
        for status in (ClientStatus.DISCHARGED, ClientStatus.PROSPECTIVE):
            moved = dataclasses.replace(GOOD, status=status)
            client_update(actor=self.actor, client=record, details=moved)
            record.refresh_from_db()
            assert record.status == status

    def test_only_intake_and_the_admin_move_a_client_between_therapists(self) -> None:
        record = make_client(assigned_therapist=self.therapist)
        moved = dataclasses.replace(GOOD, assigned_therapist=self.therapist2)

        with pytest.raises(ClientError) as caught:
            client_update(actor=Actor.for_user(self.therapist), client=record, details=moved)

        assert caught.value.field == "assigned_therapist"
        record.refresh_from_db()
        assert record.assigned_therapist == self.therapist
        assert record.first_name == "Bob"
        assert not AuditEvent.objects.exists()
        client_update(actor=self.actor, client=record, details=moved)
        record.refresh_from_db()
        assert record.assigned_therapist == self.therapist2

    def test_a_therapist_keeps_an_unchanged_assignment(self) -> None:
        record = make_client(assigned_therapist=self.therapist)
        same = dataclasses.replace(GOOD, assigned_therapist=self.therapist, city="Norfolk")

        client_update(actor=Actor.for_user(self.therapist), client=record, details=same)

        record.refresh_from_db()
        assert record.city == "Norfolk"
        event = AuditEvent.objects.get(action="client.update")
        assert event.detail == {
            "fields": ["first_name", "last_name", "email", "phone", "city", "state"]
        }


class RecordItemInvariantTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(assigned_therapist=self.therapist)
        self.actor = Actor.for_user(self.therapist)

    def test_it_refuses_a_malformed_diagnosis(self) -> None:
        for code, description in (("F3", "Depression"), ("F33.1", ""), ("F33.1", "x" * 201)):
            with self.subTest(code=code, description=description[:5]):
                with pytest.raises(ClientError) as caught:
                    diagnosis_add(
                        actor=self.actor, client=self.record, code=code, description=description
                    )
                assert caught.value.field == ("code" if code == "F3" else "description")
        assert not Diagnosis.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_it_writes_a_diagnosis_code_in_capitals(self) -> None:
        item = diagnosis_add(actor=self.actor, client=self.record, code=" f33.1 ", description="D")

        assert item.code == "F33.1"
        assert item.added_by == self.therapist

    def test_it_refuses_a_medication_without_a_name_or_an_unknown_allergy_severity(self) -> None:
        with pytest.raises(ClientError) as caught:
            medication_add(actor=self.actor, client=self.record, name="", dose="20 mg")
        assert caught.value.field == "name"
        with pytest.raises(ClientError) as caught:
            allergy_add(actor=self.actor, client=self.record, substance="Latex", severity="fatal")
        assert caught.value.field == "severity"
        assert not ReportedMedication.objects.exists()
        assert not Allergy.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_an_item_ended_twice_keeps_its_first_end(self) -> None:
        item = allergy_add(actor=self.actor, client=self.record, substance="Latex")

        record_item_end(actor=self.actor, item=item)
        item.refresh_from_db()
        first = item.removed_at
        record_item_end(actor=self.actor, item=item)

        item.refresh_from_db()
        assert item.removed_at == first
        assert AuditEvent.objects.filter(action="client.allergy_end").count() == 1


class ClientFormTestCase(BaseTestCase):
    def test_the_form_and_the_service_hold_the_same_fields_in_the_same_order(self) -> None:
        # The view passes every form field to the service: a field added to one and not
        # the other would be dropped silently.
        assert list(ClientForm.Meta.fields) == list(DETAIL_FIELDS)
