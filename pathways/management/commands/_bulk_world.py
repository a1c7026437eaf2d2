"""What a client's record is written through (`World`), and the client as the
course and the dosing sessions need them (`Person`)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from pathways.management.commands._bulk_calendar import Booker
from pathways.management.commands._bulk_common import Tables, Trail, Who
from pathways.management.commands._bulk_measures import MeasureWriter
from pathways.management.commands._bulk_staff import Practice


@dataclass
class World:
    """Everything a client's record is written through."""

    tables: Tables
    trail: Trail
    rng: random.Random
    practice: Practice
    booker: Booker
    measures: MeasureWriter
    today: dt.date
    horizon: dt.date  # appointments are booked up to this day
    # The people's names, a stream of their own (pathways.management.commands._bulk_names).
    names: random.Random
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Person:
    """The client, as the course needs them."""

    client_id: int
    name: str
    clinician: int
    prefer: int
    ip: str
    diagnosis: tuple[str, str]
    escort: tuple[str, str]


def who_id(who: Who) -> int | None:
    return who[0] if who else None
