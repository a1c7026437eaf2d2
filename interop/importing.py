"""Import measures and reported medications from a FHIR R4 Bundle that a client's
previous provider sent (issue 13 §2, "Import").

`read_bundle` reads the file into an `ImportPlan` (what would be stored, and what is
skipped and why) and stores nothing; `interop.import_store.plan_store` stores a plan
through the services everyone else uses, so an imported PHQ-9 with item 9 answered
raises its safety alert exactly as a paper form does.

A measure is read from its Observation panel (the instrument's panel LOINC code, each
item a component coded with the item's LOINC code), which is what our own export
writes (interop.observations), so that export → import round-trips; the total
Observation the panel names in `hasMember` is the file's total, compared with ours.
The QuestionnaireResponse our export also writes holds the same answers: it is not
read a second time. PCL-5 has no verified LOINC code (interop.codes), so it cannot be
matched and is skipped with that reason.

Nothing from the file is trusted: each resource is validated with fhir.resources, each
answer checked against the instrument, each date against the instrument's publication
and today, and each measure against the responses already stored (same instrument and
time). Whatever fails is listed in `skipped` with the reason; the rest still imports.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from pydantic import ValidationError

from clients.models import Client, ReportedMedication
from common.dates import PAPER_EARLIEST, spell
from interop import codes
from measures import services
from measures.alerts import safety
from measures.models import Instrument, Response
from measures.scoring import ScoringError, score

# A client's own Bundle from us is tens of kilobytes; years of weekly measures stay
# well under a megabyte. 5 MB leaves room for a verbose sender while keeping the
# parse (the whole file is held in memory, json then pydantic) short for one request.
MAX_BYTES = 5 * 1024 * 1024

IMPORT_ACTION = "client.fhir_import"
PREVIEW_ACTION = "client.fhir_import_preview"
MEASURE_ACTION = "measure.fhir_import"
SOURCE_NOTE = "imported from FHIR"

# The year each instrument was published (its source in the instrument file): a
# response dated before it cannot be that instrument.
PUBLISHED = {
    "phq9": dt.date(2001, 9, 1),  # Kroenke, Spitzer, Williams. J Gen Intern Med 2001;16(9)
    "gad7": dt.date(2006, 5, 22),  # Spitzer et al. Arch Intern Med 2006;166(10)
}
# The lengths ReportedMedication holds (clients.models).
NAME_MAX = 120
DOSE_MAX = 80
TAKING = {"active", "intended", "on-hold", "unknown"}
# Our export writes each measure twice, as Observations and as a QuestionnaireResponse
# (with its Questionnaire); the Observation panel is the one read.
ANSWER_TYPES = ("Questionnaire", "QuestionnaireResponse")
IMPORTED_TYPES = "measures (Observation) and reported medications (MedicationStatement)"


class ImportError_(ValueError):
    """The file as a whole cannot be read; the message is for the person."""


@dataclass(frozen=True)
class Skipped:
    what: str
    reason: str


@dataclass(frozen=True)
class FoundMeasure:
    instrument: Instrument
    answered_at: dt.datetime
    answers: dict[str, int]
    total: int
    band_label: str
    file_total: int | None
    source_id: str

    @property
    def differs(self) -> bool:
        return self.file_total is not None and self.file_total != self.total

    @property
    def flagged(self) -> dict[int, int]:
        """The safety items answered above their threshold: confirming raises an alert."""
        return safety.flagged_items(self.instrument.definition, self.answers)

    def items(self) -> list[tuple[str, int]]:
        return sorted(self.answers.items(), key=lambda kv: (not kv[0].isdigit(), _num(kv[0])))


@dataclass(frozen=True)
class FoundMedication:
    name: str
    dose: str
    source_id: str


@dataclass
class ImportPlan:
    measures: list[FoundMeasure] = field(default_factory=list)
    medications: list[FoundMedication] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.measures and not self.medications


def _num(key: str) -> int:
    return int(key) if key.isdigit() else 0


def _instruments() -> dict[str, Instrument]:
    return {i.code: i for i in Instrument.objects.all()}


def _loinc_codes(concept: Any) -> list[str]:
    return [
        str(c.code)
        for c in (getattr(concept, "coding", None) or [])
        if c.system == codes.LOINC and c.code
    ]


def _label(resource: dict[str, Any], index: int) -> str:
    kind = str(resource.get("resourceType") or "Resource")
    ident = resource.get("id")
    return f"{kind} {ident}" if ident else f"{kind} (entry {index + 1})"


def read_bundle(*, client: Client, data: bytes) -> ImportPlan:
    """What the file would add to the client's record; raises ImportError_ when the file
    as a whole is not a FHIR Bundle in JSON. Stores nothing."""
    if len(data) > MAX_BYTES:
        raise ImportError_(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        bundle = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ImportError_("The file is not JSON (a FHIR Bundle is a .json file).") from exc
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise ImportError_("The file is JSON but not a FHIR Bundle.")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise ImportError_("The Bundle's entries are not a list.")
    return _Reader(client, entries).plan()


class _Reader:
    def __init__(self, client: Client, entries: list[Any]) -> None:
        self.client = client
        self.instruments = _instruments()
        self.panels = {
            i.definition["loinc"]["panel"]: i
            for i in self.instruments.values()
            if i.definition.get("loinc", {}).get("panel")
        }
        self.totals = {
            i.definition["loinc"]["total"]
            for i in self.instruments.values()
            if i.definition.get("loinc", {}).get("total")
        }
        self.uncoded = [i for i in self.instruments.values() if i.code not in self._coded()]
        self.entries = entries
        self.plan_ = ImportPlan()
        self.observations: dict[str, Observation] = {}
        self.used: set[int] = set()

    def _coded(self) -> set[str]:
        return {i.code for i in self.panels.values()}

    def plan(self) -> ImportPlan:
        others: Counter[str] = Counter()
        found: list[tuple[str, Observation]] = []
        for index, entry in enumerate(self.entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                self._skip(f"Entry {index + 1}", "It holds no resource.")
                continue
            kind = resource.get("resourceType")
            label = _label(resource, index)
            if kind == "Observation":
                obs = self._valid(Observation, resource, label)
                if obs is not None:
                    for key in (f"Observation/{obs.id}", str(entry.get("fullUrl") or "")):
                        if key:
                            self.observations[key] = obs
                    found.append((label, obs))
            elif kind == "MedicationStatement":
                statement = self._valid(MedicationStatement, resource, label)
                if statement is not None:
                    self._medication(label, statement)
            else:
                others[str(kind or "(no resourceType)")] += 1
        for label, obs in found:
            self._observation(label, obs)
        for label, obs in found:
            if id(obs) not in self.used and self._is_member(obs):
                self._skip(label, "A total or an item without its panel: nothing to check it by.")
        answers = Counter({k: others.pop(k) for k in ANSWER_TYPES if k in others})
        for counted, reason in (
            (answers, "Not read: a measure's answers are read from its Observation panel."),
            (others, f"Not imported: we import only {IMPORTED_TYPES}."),
        ):
            if counted:
                listed = ", ".join(f"{kind} ×{n}" for kind, n in sorted(counted.items()))
                self._skip(listed, reason)
        return self.plan_

    def _skip(self, what: str, reason: str) -> None:
        self.plan_.skipped.append(Skipped(what, reason))

    def _valid(self, model: Any, resource: dict[str, Any], label: str) -> Any:
        try:
            return model.model_validate(resource)
        except (ValidationError, ValueError, TypeError):
            self._skip(label, f"Not a valid FHIR R4 {resource.get('resourceType')}.")
            return None

    def _is_member(self, obs: Observation) -> bool:
        item_codes = {
            str(item.get("loinc"))
            for i in self.instruments.values()
            for item in i.definition["items"]
            if item.get("loinc")
        }
        return bool(set(_loinc_codes(obs.code)) & (self.totals | item_codes))

    def _observation(self, label: str, obs: Observation) -> None:
        loinc = _loinc_codes(obs.code)
        instrument = next((self.panels[c] for c in loinc if c in self.panels), None)
        if instrument is not None:
            self.used.add(id(obs))
            for member in obs.hasMember or []:
                if (claimed := self.observations.get(str(member.reference or ""))) is not None:
                    self.used.add(id(claimed))
            self._measure(label, obs, instrument)
            return
        if self._is_member(obs):
            return  # judged once every panel has claimed its members
        text = " ".join(
            filter(None, [obs.code.text, *(c.display or "" for c in obs.code.coding or [])])
        )
        for unmatched in self.uncoded:
            if unmatched.short_name in text or unmatched.name in text:
                self._skip(
                    label,
                    f"{unmatched.short_name} has no verified LOINC code, so it cannot be "
                    "matched to our instrument.",
                )
                return
        shown = ", ".join(loinc) if loinc else "none"
        self._skip(label, f"Its LOINC code ({shown}) is not one of our instruments' codes.")

    def _measure(self, label: str, obs: Observation, instrument: Instrument) -> None:
        name = instrument.short_name
        answered_at = self._when(obs)
        if answered_at is None:
            self._skip(label, f"{name}: no date (effectiveDateTime).")
            return
        problem = self._date_problem(instrument, answered_at)
        if problem:
            self._skip(label, f"{name}: {problem}")
            return
        answers, problem = self._answers(obs, instrument)
        if problem:
            self._skip(label, f"{name}: {problem}")
            return
        missing = services.missing_items(instrument.definition, answers)
        if missing:
            listed = ", ".join(str(n) for n in missing)
            self._skip(label, f"{name}: items missing ({listed}); only a complete form is stored.")
            return
        items, unscored = services.split_answers(instrument.definition, answers)
        try:
            result = score(
                instrument.definition,
                items,
                unscored=unscored,
                cut_point=services.cut_point_for(instrument),
            )
        except ScoringError as exc:
            self._skip(label, f"{name}: {exc}")
            return
        if self._duplicate(instrument, answered_at):
            self._skip(
                label, f"{name} of {spell(answered_at.date())}: already stored (same time)."
            )
            return
        self.plan_.measures.append(
            FoundMeasure(
                instrument=instrument,
                answered_at=answered_at,
                answers=answers,
                total=result.total,
                band_label=result.band_label,
                file_total=self._file_total(obs),
                source_id=label,
            )
        )

    def _when(self, obs: Observation) -> dt.datetime | None:
        value = obs.effectiveDateTime
        if isinstance(value, dt.datetime):
            return value if timezone.is_aware(value) else timezone.make_aware(value)
        if isinstance(value, dt.date):
            # A day without a time: local noon, as a paper form's day is stored.
            return timezone.make_aware(dt.datetime.combine(value, dt.time(12)))
        return None

    def _date_problem(self, instrument: Instrument, when: dt.datetime) -> str | None:
        if when > timezone.now():
            return "dated in the future."
        published = max(PUBLISHED.get(instrument.code, PAPER_EARLIEST), PAPER_EARLIEST)
        if when.date() < published:
            return f"dated before the instrument was published ({spell(published)})."
        return None

    def _answers(self, obs: Observation, instrument: Instrument) -> tuple[dict[str, int], str]:
        definition = instrument.definition
        keys: dict[str, str] = {}
        offered: dict[str, list[int]] = {}
        for item in definition["items"]:
            if item.get("loinc"):
                keys[item["loinc"]] = str(item["number"])
            offered[str(item["number"])] = [o["value"] for o in definition["options"]]
        for extra in definition.get("unscored_items") or []:
            if extra.get("loinc"):
                keys[extra["loinc"]] = str(extra["key"])
            offered[str(extra["key"])] = [o["value"] for o in extra["options"]]
        answers: dict[str, int] = {}
        for component in obs.component or []:
            key = next((keys[c] for c in _loinc_codes(component.code) if c in keys), None)
            if key is None:
                return (
                    {},
                    f"an item's code ({component.code.text or 'none'}) is not one of its items.",
                )
            value = component.valueInteger
            if value is None or value not in offered[key]:
                shown = "no whole number" if value is None else str(value)
                low, high = min(offered[key]), max(offered[key])
                return {}, f"item {key} answered {shown}, out of range ({low}–{high})."
            if key in answers:
                return {}, f"item {key} is answered twice."
            answers[key] = int(value)
        return answers, ""

    def _duplicate(self, instrument: Instrument, when: dt.datetime) -> bool:
        if any(m.instrument == instrument and m.answered_at == when for m in self.plan_.measures):
            return True
        return Response.objects.filter(
            client=self.client, instrument=instrument, answered_at=when
        ).exists()

    def _file_total(self, panel: Observation) -> int | None:
        for member in panel.hasMember or []:
            obs = self.observations.get(str(member.reference or ""))
            if obs is not None and set(_loinc_codes(obs.code)) & self.totals:
                self.used.add(id(obs))
                return obs.valueInteger
        return None

    def _medication(self, label: str, statement: MedicationStatement) -> None:
        concept = statement.medicationCodeableConcept
        name = ""
        if concept is not None:
            name = concept.text or next((c.display for c in concept.coding or [] if c.display), "")
        name = (name or "").strip()
        if not name:
            self._skip(label, "No medication name (medicationCodeableConcept text or display).")
            return
        if statement.status not in TAKING:
            self._skip(label, f"{name}: status {statement.status}; only medications taken now.")
            return
        dose = " ".join(d.text for d in statement.dosage or [] if d.text).strip()
        if len(name) > NAME_MAX or len(dose) > DOSE_MAX:
            self._skip(label, f"{name[:40]}: the name or dose is longer than the record holds.")
            return
        taken = {m.name.casefold() for m in self.plan_.medications} | {
            n.casefold()
            for n in ReportedMedication.objects.filter(
                client=self.client, stopped_at=None
            ).values_list("name", flat=True)
        }
        if name.casefold() in taken:
            self._skip(label, f"{name}: already on the client's medications.")
            return
        self.plan_.medications.append(FoundMedication(name=name, dose=dose, source_id=label))
