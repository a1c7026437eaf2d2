"""Helpers for the safety-alert tests (no tests here): instruments and responses,
created directly through the models, so these tests do not depend on the
answering and paper-entry services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from clients.models import Client
from measures.models import Instrument, Response, Source
from measures.scoring import score
from measures.tests.support import PHQ9, answers, copy_of


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
