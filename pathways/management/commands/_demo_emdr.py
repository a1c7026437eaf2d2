"""The EMDR part of a past KA-EMDR dosing session, for the demo.

Keeps the rules of the live record (bls.rules, bls.timing): the target memory is
activated in phase 3 and the dose taken during phase 4 (desensitisation), as the
KA-EMDR protocol has it; SUD 0–10 and VOC 1–7; a complete closure has a body scan,
SUD at end ≤ 1 and VOC at end ≥ 6, and an incomplete one gives its reason.
Written straight to the models, like the rest of the demo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from bls.models import BlsType, DesensitisationSet, EmdrRecord, Phase, PhaseMark
from dosing.models import Administration, DosingRecord
from pathways.management.commands._demo_common import backdate

FIRST_SET, SET_EVERY = 5, 8  # minutes after the dose
SET_SECONDS = 30
# A set run from the record on the BLS display: 24 passes at 1 pass a second, eyes
# and tones (the display's defaults); the display logs the passes it completed.
DISPLAY_PASSES = 24


@dataclass(frozen=True)
class Reprocessing:
    target: str
    image: str
    negative: str
    positive: str
    emotions: str
    body: str
    voc_start: int
    sud_start: int
    sets: list[tuple[int, str]]  # SUD after each set, and what the client noticed
    voc_end: int
    # Complete: installation and body scan, then closure. Incomplete: the reason.
    body_scan: str = ""
    incomplete_reason: str = ""
    # Minutes after the dose the therapist planned to end reprocessing (None: no plan).
    planned_end: int | None = None
    # Sets run on the BLS display (logged by it) rather than with the tactile pulsers;
    # the numbered one was interrupted (the display's connection dropped mid-set).
    on_display: bool = False
    interrupted_set: int | None = None


def past_emdr_record(dosing: DosingRecord, plan: Reprocessing) -> EmdrRecord:
    therapist = dosing.opened_by
    dose = dosing.administrations.get(kind=Administration.Kind.DOSE)

    def t(minutes: int) -> dt.datetime:
        return dose.given_at + dt.timedelta(minutes=minutes)

    complete = not plan.incomplete_reason
    last_set = FIRST_SET + SET_EVERY * (len(plan.sets) - 1)
    record = EmdrRecord.objects.create(
        session=dosing.session,
        target_memory=plan.target,
        image=plan.image,
        negative_cognition=plan.negative,
        positive_cognition=plan.positive,
        voc_start=plan.voc_start,
        emotions=plan.emotions,
        sud_start=plan.sud_start,
        body_location=plan.body,
        installation_voc=plan.voc_end if complete else None,
        body_scan=plan.body_scan,
        closure=EmdrRecord.Closure.COMPLETE if complete else EmdrRecord.Closure.INCOMPLETE,
        closure_reason=plan.incomplete_reason,
        sud_end=plan.sets[-1][0],
        voc_end=plan.voc_end,
        planned_reprocessing_end=t(plan.planned_end) if plan.planned_end is not None else None,
        created_by=therapist,
    )
    backdate(EmdrRecord, record.pk, created_at=t(-9))
    # The memory activated (phase 3), then reprocessing (phase 4), with the dose in it.
    marks = [(Phase.ASSESSMENT, -8), (Phase.DESENSITISATION, -3)]
    if complete:
        marks += [(Phase.INSTALLATION, last_set + 6), (Phase.BODY_SCAN, last_set + 12)]
    marks.append((Phase.CLOSURE, last_set + 18))
    for phase, minutes in marks:
        PhaseMark.objects.create(record=record, phase=phase, at=t(minutes), by=therapist)
    for number, (sud, report) in enumerate(plan.sets, start=1):
        minutes = FIRST_SET + SET_EVERY * (number - 1)
        interrupted = number == plan.interrupted_set
        passes = DISPLAY_PASSES // 2 + 1 if interrupted else DISPLAY_PASSES
        DesensitisationSet.objects.create(
            record=record,
            number=number,
            at=t(minutes),
            bls_type=BlsType.BOTH if plan.on_display else BlsType.TACTILE,
            speed_hz=Decimal("1.0"),
            passes=passes if plan.on_display else None,
            seconds=passes if plan.on_display else SET_SECONDS,  # 1 pass a second
            client_report=report,
            sud=sud,
            minutes_since_dose=minutes,
            from_display=plan.on_display,
            interrupted=interrupted,
            recorded_by=therapist,
        )
    return record


NOOR = Reprocessing(
    target="The assault in the car park, three years ago.",
    image="Headlights behind the man as he walks over.",
    negative="I am powerless.",
    positive="I survived, and I can protect myself now.",
    emotions="Fear, shame",
    body="Chest and throat",
    voc_start=2,
    sud_start=8,
    sets=[
        (8, "Headlights; heart racing."),
        (7, "Floating above it; the sound of keys."),
        (6, "Running to the car; legs heavy."),
        (4, "Seeing it from further away."),
        (3, "Anger now, not fear."),
        (2, "I got away. I did get away."),
        (1, "Calm; the lights are just lights."),
        (0, "Nothing disturbing left."),
    ],
    voc_end=6,
    body_scan="Slight tightness in the throat that eased with one more short set.",
)
DEVON = Reprocessing(
    target="The forklift accident at the warehouse.",
    image="The pallet tipping towards a co-worker.",
    negative="I should have stopped it.",
    positive="I did what anyone could have done.",
    emotions="Guilt, dread",
    body="Stomach",
    voc_start=1,
    sud_start=9,
    sets=[
        (9, "The noise of the crash."),
        (8, "Shouting; can't move."),
        (8, "Guilt, heavy in the stomach."),
        (7, "Co-worker's face, later at the hospital."),
        (7, "Tired; very heavy."),
        (6, "It happened so fast."),
    ],
    voc_end=2,
    # Planned to end reprocessing 40 min after the dose: the sublingual peak (about
    # 45 min) fell after it, which the record flags.
    planned_end=40,
    incomplete_reason=(
        "Time ran out with the SUD at 6. Closed with the container and calm-place "
        "exercises; to continue at the next session."
    ),
)
