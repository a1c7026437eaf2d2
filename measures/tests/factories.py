"""Test factories for measures: instruments and scored responses made directly
through the models (so that the alert and report tests do not depend on the
answering and paper-entry services), and a completed dosing session for the
outcomes report."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from clients.models import Client
from measures.models import Instrument, Response, Source
from measures.scoring import score
from measures.tests.support import PHQ9, answers, answers_totalling, copy_of
from partners.models import Partner
from pathways.testing import make_partner, make_prescription, make_referral, make_session
from treatment.models import SessionStatus, TreatmentCourse


def make_instrument(definition: dict[str, Any] | None = None) -> Instrument:
    definition = definition or PHQ9
    instrument, _ = Instrument.objects.get_or_create(
        code=definition["code"],
        defaults={
            "name": definition["name"],
            "short_name": definition["short_name"],
            "version": definition["version"],
            "definition": copy_of(definition),
        },
    )
    return instrument


def make_response(
    client: Client,
    instrument: Instrument | None = None,
    answered_at: dt.datetime | None = None,
    **items: int,
) -> Response:
    """A scored response, every item 0 except those given (``q9=2``)."""
    instrument = instrument or make_instrument()
    given = answers(instrument.definition, 0, **items)
    result = score(instrument.definition, given)
    return Response.objects.create(
        client=client,
        instrument=instrument,
        definition_version=instrument.version,
        source=Source.LINK,
        answers={str(number): value for number, value in given.items()},
        total=result.total,
        band_key=result.band_key,
        band_label=result.band_label,
        answered_at=answered_at or timezone.now(),
    )


def day(year: int, month: int, date: int) -> dt.datetime:
    # Noon UTC: the same calendar day in the practice's time zone.
    return dt.datetime(year, month, date, 12, tzinfo=dt.UTC)


def load_instruments() -> None:
    call_command("load_instruments", stdout=io.StringIO())


def make_score(
    client: Client, code: str, total: int, at: dt.datetime, source: str = Source.LINK
) -> Response:
    """A Response row scored by measures.scoring, so total and band agree."""
    instrument = Instrument.objects.get(code=code)
    definition = instrument.definition
    answers = answers_totalling(definition, total)
    scored = score(definition, answers)
    return Response.objects.create(
        client=client,
        instrument=instrument,
        definition_version=instrument.version,
        source=source,
        answers={str(k): v for k, v in answers.items()},
        total=scored.total,
        band_key=scored.band_key,
        band_label=scored.band_label,
        answered_at=at,
    )


def give_dose(course: TreatmentCourse, at: dt.datetime, kind: str = "dose") -> None:
    """A completed dosing session of the course with an administration given at ``at``.
    The dosing models are looked up by app label: ``measures`` does not import
    ``dosing``."""
    dosing_record = apps.get_model("dosing", "DosingRecord")
    administration = apps.get_model("dosing", "Administration")
    user = course.created_by
    partner = Partner.objects.first() or make_partner()
    prescription = make_prescription(make_referral(course.client, partner, user), user)
    session = make_session(
        course, started_at=at, status=SessionStatus.COMPLETED, prescription=prescription
    )
    record = dosing_record.objects.create(
        session=session, prescription=prescription, opened_by=user
    )
    administration.objects.create(
        record=record,
        kind=kind,
        dose_mg=Decimal("100"),
        route="sublingual",
        given_at=at,
        given_by=user,
        witnessed_by=user,
    )
