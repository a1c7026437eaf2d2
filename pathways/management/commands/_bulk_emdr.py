"""The EMDR record of a KA-EMDR dosing session in the bulk practice.

Keeps the rules of the live record (bls.rules), as the demo's `_demo_emdr` does: the
target memory is activated in phase 3 and the dose taken during phase 4
(desensitisation); SUD 0–10 and VOC 1–7 (the database checks them too); a complete
closure has SUD at end ≤ 1, VOC at end ≥ 6 and a body scan, an incomplete one its
reason. Sets of 30 seconds of tactile or eye-movement BLS at 1 Hz, 8 minutes apart
(clinical-reference.md, "EMDR session data").
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from bls.models import BlsType, DesensitisationSet, EmdrRecord, Phase, PhaseMark
from pathways.management.commands._bulk_common import Tables, Trail, Who

FIRST_SET, SET_EVERY = 5, 8  # minutes after the dose
TARGETS = (
    (
        "The accident on the highway.",
        "Headlights coming across the lane.",
        "I am going to die.",
        "It is over; I survived.",
    ),
    (
        "The assault, years ago.",
        "The door closing behind him.",
        "I am powerless.",
        "I can protect myself now.",
    ),
    (
        "The fire at the old house.",
        "Smoke under the bedroom door.",
        "I should have done more.",
        "I did what I could.",
    ),
    (
        "Losing a friend in service.",
        "The radio going quiet.",
        "It was my fault.",
        "I did my best in an impossible moment.",
    ),
)
REPORTS = (
    "Tightness easing.",
    "The picture is further away.",
    "Sad more than scared.",
    "Noticing my breath.",
    "The sound is quieter.",
)


def emdr_record(
    tables: Tables,
    trail: Trail,
    rng: random.Random,
    session: int,
    client: int,
    therapist: Who,
    dosed: dt.datetime,
) -> int:
    def t(minutes: int) -> dt.datetime:
        return dosed + dt.timedelta(minutes=minutes)

    by = therapist[0] if therapist else None
    target, image, negative, positive = rng.choice(TARGETS)
    sud = rng.randint(6, 10)
    count = rng.randint(6, 10)
    suds = []
    for _ in range(count):
        sud = max(0, sud - rng.choice((0, 1, 1, 2)))
        suds.append(sud)
    complete = suds[-1] <= 1
    voc_end = rng.randint(6, 7) if complete else rng.randint(2, 5)
    record = tables[EmdrRecord].add(
        session_id=session,
        target_memory=target,
        image=image,
        negative_cognition=negative,
        positive_cognition=positive,
        voc_start=rng.randint(1, 3),
        emotions="Fear, sadness",
        sud_start=suds[0] if suds[0] > 0 else 1,
        body_location="Chest",
        installation_voc=voc_end if complete else None,
        body_scan="Clear; a little tiredness." if complete else "",
        closure=EmdrRecord.Closure.COMPLETE if complete else EmdrRecord.Closure.INCOMPLETE,
        closure_reason="" if complete else "Time ran out; container exercise; to continue.",
        sud_end=suds[-1],
        voc_end=voc_end,
        created_at=t(-9),
        created_by_id=by,
    )
    trail.log(t(-9), therapist, "emdr.create", EmdrRecord, record, client, {"session": session})
    trail.log(
        t(-6),
        therapist,
        "emdr.assessment_save",
        EmdrRecord,
        record,
        client,
        {
            "fields": [
                "target_memory",
                "image",
                "negative_cognition",
                "positive_cognition",
                "voc_start",
                "emotions",
                "sud_start",
                "body_location",
            ]
        },
    )
    last_set = FIRST_SET + SET_EVERY * (count - 1)
    marks = [(Phase.ASSESSMENT, -8), (Phase.DESENSITISATION, -3)]
    if complete:
        marks += [(Phase.INSTALLATION, last_set + 6), (Phase.BODY_SCAN, last_set + 12)]
    marks.append((Phase.CLOSURE, last_set + 18))
    for phase, minutes in marks:
        mark = tables[PhaseMark].add(record_id=record, phase=phase, at=t(minutes), by_id=by)
        trail.log(
            t(minutes),
            therapist,
            "emdr.phase_mark",
            EmdrRecord,
            record,
            client,
            {"phase": int(phase), "mark": mark},
        )
    kind = rng.choice((BlsType.TACTILE, BlsType.EYES))
    for number, value in enumerate(suds, start=1):
        minutes = FIRST_SET + SET_EVERY * (number - 1)
        made = tables[DesensitisationSet].add(
            record_id=record,
            number=number,
            at=t(minutes),
            bls_type=kind,
            speed_hz=Decimal("1.0"),
            seconds=30,
            client_report=rng.choice(REPORTS) if number % 3 == 0 else "",
            sud=value,
            minutes_since_dose=minutes,
            recorded_by_id=by,
        )
        trail.log(
            t(minutes),
            therapist,
            "emdr.set_add",
            EmdrRecord,
            record,
            client,
            {"set": made, "number": number},
        )
    trail.log(
        t(last_set + 20),
        therapist,
        "emdr.closing_save",
        EmdrRecord,
        record,
        client,
        {"fields": ["installation_voc", "body_scan", "closure", "sud_end", "voc_end"]},
    )
    return record
