"""Outcome measures for the bulk practice: how each client's scores move, answers
that add up to them, and the links, responses and safety alerts they make.

How the scores move follows the published KAP cohorts: Dore et al. 2019 (J
Psychoactive Drugs 51(2):189; 235 patients in three KAP practices, in
../shared/clinical-reference.md, "Published outcome anchor") found depression (BDI)
down by a mean of 11.24 points and anxiety (HAM-A) by 5.5 after KAP. The cohort
reports means, not how many improved; the split here (about two in three improve,
one in four change little, one in ten worsen) and the sizes of the changes are this
demo's assumption, chosen so that the mean falls by about as much and some clients
do not respond or get worse. The change comes after the first dose for a course
client and builds over the months of therapy for the others (a smaller effect).

Every answer set is scored by `measures.scoring.score`, the one the services use,
with the practice's PCL-5 cut-point (`measures.services.cut_point_for`): each stored
total, band, subscores and provisional result is the instrument's own. PHQ-9 item 9
is answered above 0 now and then; each such answer raises a safety alert, as
`measures.alerts.safety` does, acknowledged by the therapist the same day or next.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from measures.alerts.safety import RAISE_ACTION, flagged_items
from measures.alerts.services import ACKNOWLEDGE_ACTION
from measures.models import AlertAction, Instrument, MeasureLink, Response, SafetyAlert
from measures.scoring import score
from measures.services import cut_point_for
from pathways.management.commands._bulk_common import Tables, Trail, Who

# (share of clients, the fraction of the baseline lost by the end: low, high).
# Negative is a rise in the score.
OUTLOOKS = (
    ("improve", 0.65, (0.35, 0.75)),
    ("flat", 0.25, (-0.10, 0.15)),
    ("worse", 0.10, (-0.45, -0.15)),
)
# Baselines (mean, spread) of the clients referred for KAP (moderately severe
# depression), and of the others.
BASELINES = {
    "phq9": ((16, 4), (12, 4)),
    "gad7": ((13, 4), (10, 4)),
    "pcl5": ((50, 9), (44, 10)),
}
ALERT_RATE = 0.04  # of PHQ-9s at 15 or above: item 9 answered 1
ALERT_NOTE = (
    "Called the client the same day: passing thoughts, no plan, intent or access to "
    "means. Safety plan reviewed and updated together; crisis numbers saved."
)


@dataclass(frozen=True)
class Scale:
    id: int
    definition: dict[str, Any]
    version: str
    cut_point: int | None
    top: int  # the highest total


def load_scales() -> dict[str, Scale]:
    scales = {}
    for instrument in Instrument.objects.filter(code__in=BASELINES):
        total = instrument.definition["total"]["max"]
        scales[instrument.code] = Scale(
            instrument.pk,
            instrument.definition,
            instrument.version,
            cut_point_for(instrument),
            total,
        )
    return scales


@dataclass(frozen=True)
class Course:
    """How one client's scores go: from the baseline to `baseline * (1 - change)`,
    over the days from `starts` (the first dose, or intake) to `full` (fully there)."""

    baselines: dict[str, int]
    change: float
    starts: dt.date
    full: dt.date

    def total(self, code: str, day: dt.date, top: int, rng: random.Random) -> int:
        base = self.baselines[code]
        if day <= self.starts:
            progress = 0.0
        else:
            span = max((self.full - self.starts).days, 1)
            progress = min((day - self.starts).days / span, 1.0)
        mean = base * (1 - self.change * progress)
        noise = rng.gauss(0, top / 18)
        return max(0, min(top, round(mean + noise)))


def _outlook(pick: float) -> tuple[float, float]:
    """The range of change of the outlook that `pick` (0 to 1) falls in."""
    for _, share, bounds in OUTLOOKS:
        if pick < share:
            return bounds
        pick -= share
    return OUTLOOKS[-1][2]


def plan_scores(
    rng: random.Random, codes: list[str], scales: dict[str, Scale], ketamine: bool
) -> tuple[dict[str, int], float]:
    """The client's baselines and the change their course brings."""
    low, high = _outlook(rng.random())
    change = rng.uniform(low, high) * (1.0 if ketamine else 0.7)
    baselines = {}
    for code in codes:
        mean, spread = BASELINES[code][0 if ketamine else 1]
        top = scales[code].top
        baselines[code] = max(5, min(top - 2, round(rng.gauss(mean, spread))))
    return baselines, change


def answers_totalling(
    scale: Scale, total: int, rng: random.Random, fixed: dict[int, int]
) -> dict[int, int]:
    """Item answers adding up to `total`, spread unevenly, as people answer."""
    definition = scale.definition
    top = max(option["value"] for option in definition["options"])
    free = [item["number"] for item in definition["items"] if item["number"] not in fixed]
    left = max(0, min(total - sum(fixed.values()), top * len(free)))
    answers = dict.fromkeys(free, 0)
    for number in rng.choices(free, k=left):
        answers[number] += 1
    # An item past the top answer gives its excess to items with room.
    over = sum(max(0, value - top) for value in answers.values())
    for number in free:
        answers[number] = min(answers[number], top)
    while over:
        number = rng.choice(free)
        if answers[number] < top:
            answers[number] += 1
            over -= 1
    answers.update(fixed)
    return answers


class MeasureWriter:
    def __init__(self, tables: Tables, trail: Trail, rng: random.Random) -> None:
        self.tables = tables
        self.trail = trail
        self.rng = rng
        self.scales = load_scales()

    def round(
        self,
        *,
        client_id: int,
        sent: dt.datetime,
        codes: list[str],
        course: Course,
        reason: str,
        by: Who,
        therapist: Who,
        notified: list[int],
        course_id: int | None = None,
        session_id: int | None = None,
        ip: str,
    ) -> None:
        """A link sent at `sent`, answered that evening (or, now and then, never)."""
        rng = self.rng
        answered = sent + dt.timedelta(hours=10, minutes=rng.randrange(0, 120))
        last = answered + dt.timedelta(minutes=15)  # the last answer and the submit
        done = rng.random() > 0.05 and last <= self.trail.now
        link = self.tables[MeasureLink].add(
            client_id=client_id,
            instruments=codes,
            reason=reason,
            course_id=course_id,
            session_id=session_id,
            draft={},
            created_by_id=by[0] if by else None,
            token_hash=rng.getrandbits(256).to_bytes(32, "big").hex(),
            created_at=sent,
            expires_at=sent + dt.timedelta(days=7),
            used_at=answered if done else None,
        )
        self.trail.log(
            sent,
            by,
            "measure.send",
            MeasureLink,
            link,
            client_id,
            {
                "instruments": codes,
                "reason": reason,
                "course": course_id,
                "session": session_id,
                "emailed": True,
            },
        )
        if not done:
            return
        self.trail.log(answered, None, "measure.open", MeasureLink, link, client_id, {}, ip)
        responses, alerts = [], []
        for offset, code in enumerate(codes):
            when = answered + dt.timedelta(minutes=3 * offset + 2)
            response, alert = self._respond(client_id, link, code, course, when, ip)
            responses.append(response)
            if alert is not None:
                self._alert(alert, when, client_id, therapist, notified)
                alerts.append(alert[0])
        self.trail.log(
            answered + dt.timedelta(minutes=12),
            None,
            "measure.submit",
            MeasureLink,
            link,
            client_id,
            {"responses": responses, "alerts": alerts},
            ip,
        )

    def _respond(
        self, client_id: int, link: int, code: str, course: Course, when: dt.datetime, ip: str
    ) -> tuple[int, tuple[int, int, int, int] | None]:
        """The response, and (instrument, response, item, value) of a flagged answer."""
        rng, scale = self.rng, self.scales[code]
        total = course.total(code, when.date(), scale.top, rng)
        fixed: dict[int, int] = {}
        unscored: dict[str, int] = {}
        if code == "phq9":
            fixed = {9: 1 if total >= 15 and rng.random() < ALERT_RATE else 0}
            unscored = {"difficulty": min(3, total // 7)}
        answers = answers_totalling(scale, total, rng, fixed)
        result = score(scale.definition, answers, unscored=unscored, cut_point=scale.cut_point)
        response = self.tables[Response].add(
            client_id=client_id,
            instrument_id=scale.id,
            definition_version=scale.version,
            link_id=link,
            source="link",
            answers={str(k): v for k, v in sorted(answers.items())},
            unscored=dict(result.unscored),
            total=result.total,
            band_key=result.band_key,
            band_label=result.band_label,
            subscores=dict(result.subscores),
            provisional=result.provisional,
            answered_at=when,
            created_at=when,
        )
        self.trail.log(
            when,
            None,
            "measure.record",
            Response,
            response,
            client_id,
            {
                "instrument": code,
                "version": scale.version,
                "source": "link",
                "link": link,
            },
            ip,
        )
        flagged = flagged_items(scale.definition, answers)
        if not flagged:
            return response, None
        (item, value), *_ = flagged.items()
        return response, (scale.id, response, item, value)

    def _alert(
        self,
        flagged: tuple[int, int, int, int],
        raised: dt.datetime,
        client_id: int,
        therapist: Who,
        notified: list[int],
    ) -> None:
        """The safety alert of a flagged answer, raised and acknowledged by the therapist."""
        instrument, response, item, value = flagged
        acknowledged = min(raised + dt.timedelta(hours=self.rng.uniform(0.5, 16)), self.trail.now)
        alert = self.tables[SafetyAlert].add(
            client_id=client_id,
            instrument_id=instrument,
            response_id=response,
            item=item,
            value=value,
            raised_at=raised,
            acknowledged_at=acknowledged,
            acknowledged_by_id=therapist[0] if therapist else None,
            action=AlertAction.SAFETY_PLAN,
            action_note=ALERT_NOTE,
        )
        source = {"response": response, "item": item}
        self.trail.log(
            raised,
            None,
            RAISE_ACTION,
            SafetyAlert,
            alert,
            client_id,
            {**source, "notified": notified},
        )
        self.trail.log(
            acknowledged,
            therapist,
            ACKNOWLEDGE_ACTION,
            SafetyAlert,
            alert,
            client_id,
            {**source, "action": AlertAction.SAFETY_PLAN},
        )
