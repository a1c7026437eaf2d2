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
A QuestionnaireResponse is read too when no panel in the file gives the same measure
(same instrument, same time), as a file from a system that sends only forms does; our
own export writes both, and the measure is then read once (the panel names its form
in `derivedFrom`; failing that, the same instrument and time). interop.import_answers
says how answers (whole numbers or LOINC answer codes) and forms are matched. PCL-5
has no verified LOINC code (interop.codes): its Observations cannot be matched and are
skipped with that reason; only a Pathways export's PCL-5 form, which names our own
Questionnaire, imports.

Nothing from the file is trusted: each resource is validated with fhir.resources, each
answer checked against the instrument, each date against the instrument's publication
and today, and each measure against the responses already stored (same instrument and
time). Whatever fails is listed in `skipped` with the reason; the rest still imports.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from clients.models import Client, ReportedMedication
from common.dates import PAPER_EARLIEST, spell
from interop.import_answers import (
    DONE,
    FormIndex,
    loinc_codes,
    panel_answers,
    response_answers,
    when_of,
)
from interop.import_plan import FoundMeasure, FoundMedication, ImportPlan, Skipped
from measures import services
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
# An Observation's statuses whose result stands (FHIR R4 ObservationStatus).
FINAL = {"final", "amended", "corrected"}
ADDED, DUPLICATE, REFUSED = "added", "duplicate", "refused"
IMPORTED_TYPES = (
    "measures (Observation, QuestionnaireResponse) and reported medications (MedicationStatement)"
)


class ImportError_(ValueError):
    """The file as a whole cannot be read; the message is for the person."""


def _instruments() -> dict[str, Instrument]:
    return {i.code: i for i in Instrument.objects.all()}


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
        self.forms = FormIndex(list(self.instruments.values()))
        # Measures read from panels: a form giving the same one is not read again.
        self.from_panels: set[tuple[int, dt.datetime]] = set()
        self.derived: set[str] = set()  # the forms those panels name in `derivedFrom`

    def _coded(self) -> set[str]:
        return {i.code for i in self.panels.values()}

    def plan(self) -> ImportPlan:
        others: Counter[str] = Counter()
        found: list[tuple[str, Observation]] = []
        forms: list[tuple[str, QuestionnaireResponse, str]] = []
        read_forms: Counter[str] = Counter()
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
            elif kind == "Questionnaire":
                questionnaire = self._valid(Questionnaire, resource, label)
                if questionnaire is not None:
                    full_url = str(entry.get("fullUrl") or "")
                    if self.forms.add_questionnaire(questionnaire, full_url):
                        read_forms["Questionnaire"] += 1
                    else:
                        others["Questionnaire"] += 1
            elif kind == "QuestionnaireResponse":
                answered = self._valid(QuestionnaireResponse, resource, label)
                if answered is not None:
                    forms.append((label, answered, str(entry.get("fullUrl") or "")))
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
        twice: Counter[str] = Counter()
        for label, answered, full_url in forms:
            if not self._form(label, answered, full_url):
                twice["QuestionnaireResponse"] += 1
        for counted, reason in (
            (twice, "The same measure as an Observation panel in the file: read once."),
            (read_forms, "Used to read the forms' answers; not stored itself."),
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
        return bool(set(loinc_codes([obs.code])) & (self.totals | item_codes))

    def _observation(self, label: str, obs: Observation) -> None:
        loinc = loinc_codes([obs.code])
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
                    f"{unmatched.short_name} has no verified LOINC code, so this Observation "
                    "cannot be matched to our instrument (it imports only from a Pathways "
                    "export's QuestionnaireResponse).",
                )
                return
        shown = ", ".join(loinc) if loinc else "none"
        self._skip(label, f"Its LOINC code ({shown}) is not one of our instruments' codes.")

    def _measure(self, label: str, obs: Observation, instrument: Instrument) -> None:
        value = obs.effectiveDateTime or obs.effectiveInstant
        answered_at, problem = when_of(value, "effectiveDateTime")
        answers: dict[str, int] = {}
        dropped: list[str] = []
        if not problem and obs.status not in FINAL:
            problem = f"its status is {obs.status}; only a final result is stored."
        if answered_at is not None and not problem:
            answers, problem = panel_answers(obs, instrument, dropped)
        if answered_at is None or problem:
            self._skip(label, f"{instrument.short_name}: {problem}")
            return
        state = self._add(label, instrument, answered_at, answers, self._file_total(obs))
        if state == ADDED:
            self._dropped(label, instrument, dropped)
        if state != REFUSED:
            # Read: the form the panel was made from is not read again. A panel that
            # could not be read, or was refused, leaves its form to be tried on its own.
            self.from_panels.add((instrument.pk, answered_at))
            self.derived.update(_ref_key(str(d.reference or "")) for d in obs.derivedFrom or [])

    def _form(self, label: str, answered: QuestionnaireResponse, full_url: str) -> bool:
        """Read a QuestionnaireResponse; False when a panel in the file gave the same."""
        names = {_ref_key(full_url), f"QuestionnaireResponse/{answered.id}" if answered.id else ""}
        if (names - {""}) & self.derived:
            return False
        form = self.forms.match(str(answered.questionnaire or ""))
        if form is None:
            shown = answered.questionnaire or "none"
            self._skip(label, f"Its form ({shown}) is not one of our instruments.")
            return True
        name = form.instrument.short_name
        answered_at, problem = when_of(answered.authored, "authored")
        if answered_at is not None and (form.instrument.pk, answered_at) in self.from_panels:
            return False
        if not problem and answered.status not in DONE:
            problem = f"its status is {answered.status}; only a completed form is stored."
        if problem:
            self._skip(label, f"{name}: {problem}")
            return True
        dropped: list[str] = []
        answers, file_total, problem = response_answers(form, answered, dropped)
        if answered_at is None or problem:
            self._skip(label, f"{name}: {problem}")
            return True
        if self._add(label, form.instrument, answered_at, answers, file_total) == ADDED:
            self._dropped(label, form.instrument, dropped)
        return True

    def _dropped(self, label: str, instrument: Instrument, dropped: list[str]) -> None:
        for problem in dropped:
            self._skip(
                label,
                f"{instrument.short_name}: {problem} Imported without it: the item is not "
                "part of the score.",
            )

    def _add(
        self,
        label: str,
        instrument: Instrument,
        answered_at: dt.datetime,
        answers: dict[str, int],
        file_total: int | None,
    ) -> str:
        """Check a measure read from the file and put it in the plan (ADDED), or skip it
        as stored already (DUPLICATE) or for another reason (REFUSED)."""
        name = instrument.short_name
        problem = self._date_problem(instrument, answered_at)
        if problem:
            self._skip(label, f"{name}: {problem}")
            return REFUSED
        missing = services.missing_items(instrument.definition, answers)
        if missing:
            listed = ", ".join(str(n) for n in missing)
            self._skip(label, f"{name}: items missing ({listed}); only a complete form is stored.")
            return REFUSED
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
            return REFUSED
        if self._duplicate(instrument, answered_at):
            self._skip(
                label, f"{name} of {spell(answered_at.date())}: already stored (same time)."
            )
            return DUPLICATE
        self.plan_.measures.append(
            FoundMeasure(
                instrument=instrument,
                answered_at=answered_at,
                answers=answers,
                total=result.total,
                band_label=result.band_label,
                file_total=file_total,
                source_id=label,
            )
        )
        return ADDED

    def _date_problem(self, instrument: Instrument, when: dt.datetime) -> str | None:
        if when > timezone.now():
            return "dated in the future."
        published = max(PUBLISHED.get(instrument.code, PAPER_EARLIEST), PAPER_EARLIEST)
        if when.date() < published:
            return f"dated before the instrument was published ({spell(published)})."
        return None

    def _duplicate(self, instrument: Instrument, when: dt.datetime) -> bool:
        if any(m.instrument == instrument and m.answered_at == when for m in self.plan_.measures):
            return True
        return Response.objects.filter(
            client=self.client, instrument=instrument, answered_at=when
        ).exists()

    def _file_total(self, panel: Observation) -> int | None:
        for member in panel.hasMember or []:
            obs = self.observations.get(str(member.reference or ""))
            if obs is not None and set(loinc_codes([obs.code])) & self.totals:
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


def _ref_key(reference: str) -> str:
    """A reference to a QuestionnaireResponse, one way: `QuestionnaireResponse/<id>` for
    a relative or absolute URL, the reference itself otherwise (`urn:uuid:…`)."""
    marker = "QuestionnaireResponse/"
    return marker + reference.rsplit(marker, 1)[1] if marker in reference else reference
