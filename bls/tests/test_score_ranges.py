"""SUD 0–10 and VOC 1–7 held by the service and by the database, not only by the
forms (issue 8 §7): a direct service call or a crafted POST cannot store SUD 11."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any
from unittest import mock

from django.db import IntegrityError, transaction

from accounts.actor import Actor
from audit.models import AuditEvent
from bls import services
from bls.forms import SetForm
from bls.models import DesensitisationSet, EmdrRecord
from pathways.testing import BaseTestCase

from .support import add_set, make_emdr_session

SUD = "SUD is from 0 to 10."
VOC = "VOC is from 1 to 7."
SET: dict[str, Any] = {"bls_type": "eyes", "speed_hz": Decimal("1.0"), "passes": 24}


def assessment(record: EmdrRecord, **changes: Any) -> services.Assessment:
    """The assessment as the record holds it, with `changes`."""
    return replace(services.Assessment.of(record), **changes)


def closing(record: EmdrRecord, **changes: Any) -> services.Closing:
    return replace(services.Closing.of(record), **changes)


class ServiceRangeTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record
        self.actor = Actor.for_user(self.therapist)

    def reload(self) -> EmdrRecord:
        return EmdrRecord.objects.get(pk=self.record.pk)

    def refused(self, write: Any, data: dict[str, Any]) -> dict[str, str]:
        with self.assertRaises(services.EmdrError) as caught:
            if write is services.assessment_save:
                write(
                    actor=self.actor,
                    record=self.record,
                    assessment=assessment(self.record, **data),
                )
            elif write is services.closing_save:
                write(actor=self.actor, record=self.record, closing=closing(self.record, **data))
            else:
                write(actor=self.actor, record=self.record, entry=services.SetEntry(**data))
        return caught.exception.errors

    def test_it_refuses_a_sud_or_voc_out_of_range_at_the_assessment(self) -> None:
        for name, bad, message in (
            ("sud_start", -1, SUD),
            ("sud_start", 11, SUD),
            ("voc_start", 0, VOC),
            ("voc_start", 8, VOC),
        ):
            errors = self.refused(
                services.assessment_save, {"target_memory": "The crash.", name: bad}
            )

            assert errors == {name: message}
        record = self.reload()
        assert (record.sud_start, record.voc_start, record.target_memory) == (None, None, "")
        assert not AuditEvent.objects.filter(action="emdr.assessment_save").exists()

    def test_it_refuses_a_set_with_a_sud_out_of_range(self) -> None:
        for bad in (-1, 11):
            errors = self.refused(services.set_add, {**SET, "sud": bad})

            assert errors == {"sud": SUD}
        assert not DesensitisationSet.objects.exists()
        assert not AuditEvent.objects.filter(action="emdr.set_add").exists()

    def test_it_refuses_a_sud_or_voc_out_of_range_at_the_closing(self) -> None:
        for name, bad, message in (
            ("installation_voc", 0, VOC),
            ("installation_voc", 8, VOC),
            ("sud_end", -1, SUD),
            ("sud_end", 11, SUD),
            ("voc_end", 0, VOC),
            ("voc_end", 8, VOC),
        ):
            errors = self.refused(services.closing_save, {name: bad})

            assert errors == {name: message}
        record = self.reload()
        assert (record.installation_voc, record.sud_end, record.voc_end) == (None, None, None)
        assert not AuditEvent.objects.filter(action="emdr.closing_save").exists()

    def test_it_names_every_field_out_of_range_at_once(self) -> None:
        errors = self.refused(services.assessment_save, {"sud_start": 11, "voc_start": 0})

        assert errors == {"sud_start": SUD, "voc_start": VOC}

    def test_it_refuses_what_is_not_a_whole_number(self) -> None:
        for bad in ("5", 5.0, Decimal("5"), True):
            errors = self.refused(services.assessment_save, {"sud_start": bad, "voc_start": bad})

            assert errors == {
                "sud_start": "Enter a whole number from 0 to 10.",
                "voc_start": "Enter a whole number from 1 to 7.",
            }

    def test_it_accepts_the_ends_of_the_ranges_in_every_write(self) -> None:
        for sud, voc in ((0, 1), (10, 7)):
            services.assessment_save(
                actor=self.actor,
                record=self.record,
                assessment=assessment(self.record, sud_start=sud, voc_start=voc),
            )
            made = services.set_add(
                actor=self.actor, record=self.record, entry=services.SetEntry(**SET, sud=sud)
            )
            services.closing_save(
                actor=self.actor,
                record=self.record,
                closing=closing(self.record, installation_voc=voc, sud_end=sud, voc_end=voc),
            )

            record = self.reload()
            assert (record.sud_start, record.voc_start) == (sud, voc)
            assert made.sud == sud
            assert (record.installation_voc, record.sud_end, record.voc_end) == (voc, sud, voc)

    def test_a_crafted_post_past_the_form_is_refused_beside_the_field(self) -> None:
        """Even without the form's own range check, the service keeps SUD 11 out and
        the page says why beside the field, keeping what was typed."""
        self.client.force_login(self.therapist)
        url = f"/staff/emdr/{self.record.pk}/sets/"
        post = {"bls_type": "eyes", "speed_hz": "1.0", "passes": "24", "sud": "11"}

        with mock.patch.object(SetForm.base_fields["sud"], "validators", []):
            for headers in ({}, {"HX-Request": "true"}):
                response = self.client.post(
                    url, {**post, "client_report": "Keep me."}, headers=headers
                )

                assert response.status_code == 200
                self.assertContains(
                    response, f'<p class="error" id="id_sud_error">{SUD}</p>', html=True
                )
                self.assertContains(response, 'value="11"')
                self.assertContains(response, 'aria-invalid="true"')
                self.assertContains(response, "Keep me.")
        assert not DesensitisationSet.objects.exists()


class DatabaseRangeTestCase(BaseTestCase):
    """Belt and braces: a write that goes round the service is refused too."""

    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record

    def test_the_database_refuses_a_score_out_of_range(self) -> None:
        records = EmdrRecord.objects.filter(pk=self.record.pk)
        for name, bad in (
            ("sud_start", 11),
            ("sud_end", 11),
            ("voc_start", 0),
            ("voc_start", 8),
            ("installation_voc", 0),
            ("installation_voc", 8),
            ("voc_end", 0),
            ("voc_end", 8),
        ):
            with (
                self.subTest(name=name, value=bad),
                self.assertRaises(IntegrityError),
                transaction.atomic(),
            ):
                records.update(**{name: bad})
        start = self.emdr.start
        made = add_set(self.record, 1, start, self.therapist, 5)
        with self.assertRaises(IntegrityError), transaction.atomic():
            DesensitisationSet.objects.filter(pk=made.pk).update(sud=11)
        with self.assertRaises(IntegrityError), transaction.atomic():
            add_set(self.record, 2, start + dt.timedelta(minutes=1), self.therapist, 11)

    def test_the_database_takes_the_ends_of_the_ranges_and_empty(self) -> None:
        records = EmdrRecord.objects.filter(pk=self.record.pk)
        for sud, voc in ((0, 1), (10, 7), (None, None)):
            records.update(
                sud_start=sud, sud_end=sud, voc_start=voc, installation_voc=voc, voc_end=voc
            )
        assert add_set(self.record, 1, self.emdr.start, self.therapist, 10).sud == 10
