"""The database reads behind the practice outcomes report: a fixed number of queries,
however many clients, courses and scores there are.

- the instruments, each with its definition, once (one query);
- the clients with a score and no course (one query);
- each dosed course's baseline and latest score of each instrument, worked out in the
  database (`measures.outcomes.aggregate`, one grouped query);
- every treatment course: id, client, modality, created_at (one query);
- each course's first dose: the earliest ``given_at`` of an administration of kind
  "dose" in any of its sessions' dosing records (one grouped query). The lookup goes
  through the reverse relations from ``treatment`` (``TreatmentSession.dosing_record``,
  ``DosingRecord.administrations``), so ``measures`` does not import ``dosing``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, Min, OuterRef, QuerySet

from clients.models import Client
from measures.models import Instrument, Response
from treatment.models import TreatmentCourse, TreatmentSession

# dosing.models.Administration.Kind.DOSE (a booster is not the first dose).
DOSE_KIND = "dose"


@dataclass(frozen=True)
class ScorePoint:
    """One score, as the report needs it."""

    id: int
    client_id: int
    instrument_id: int
    total: int
    answered_at: dt.datetime


@dataclass(frozen=True)
class CourseRow:
    """One treatment course, with the moment of its first dose (None: none yet)."""

    id: int
    client_id: int
    modality: str
    created_at: dt.datetime
    first_dose_at: dt.datetime | None


@dataclass(frozen=True)
class ReportData:
    instruments: list[Instrument]
    courses: list[CourseRow]
    without_course: list[int]  # client ids with a score and no course


def instruments() -> list[Instrument]:
    """Every loaded instrument by short name, each definition read once."""
    return list(Instrument.objects.order_by("short_name"))


def clients_without_course() -> list[int]:
    """The clients with a score and no treatment course, by id."""
    # Read per client (two EXISTS on indexed client columns), not as a DISTINCT over
    # every response, which EXPLAIN showed reading the whole table (issue 14 §4).
    has_course = TreatmentCourse.objects.filter(client_id=OuterRef("pk"))
    has_score = Response.objects.filter(client_id=OuterRef("pk"))
    rows = (
        Client.objects.filter(Exists(has_score), ~Exists(has_course))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(rows)


def first_doses_queryset() -> QuerySet[TreatmentSession, tuple[int, dt.datetime]]:
    """(course id, its first dose) for courses with a dose: also embedded in the grouped
    query of `measures.outcomes.aggregate`."""
    return (
        TreatmentSession.objects.filter(dosing_record__administrations__kind=DOSE_KIND)
        .order_by()
        .values("course_id")
        .annotate(first=Min("dosing_record__administrations__given_at"))
        .values_list("course_id", "first")
    )


def first_doses() -> dict[int, dt.datetime]:
    """Course id -> when its first dose was given, for courses with a dose."""
    return dict(first_doses_queryset())


def courses() -> list[CourseRow]:
    """Every course, by client and then by creation, each with its first dose."""
    doses = first_doses()
    rows = TreatmentCourse.objects.order_by("client_id", "created_at", "id").values_list(
        "id", "client_id", "modality", "created_at"
    )
    return [
        CourseRow(pk, client_id, modality, created_at, doses.get(pk))
        for pk, client_id, modality, created_at in rows
    ]


def report_data() -> ReportData:
    """Everything but the scores (`measures.outcomes.aggregate`): four queries."""
    return ReportData(
        instruments=instruments(), courses=courses(), without_course=clients_without_course()
    )
