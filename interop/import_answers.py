"""Reading a measure's answers out of a FHIR file, for interop.importing.

Two shapes carry a measure's answers:
- an Observation panel, each item a component coded with the item's LOINC code (what
  our own export writes, interop.observations, and what US Core's screening examples
  show);
- a QuestionnaireResponse alone, as many systems send (LHC-Forms, SMART apps), its
  items named by `linkId` and tied to our instrument through its Questionnaire.

An answer is a whole number (valueInteger) or a coded answer: a LOINC answer code that
the instrument file gives the option (PHQ-9's LA6568-5 … LA6571-9, from
../shared/clinical-reference.md, "Codes"), or, in our own export's form only, a code
without a system that is the score itself (what our export writes where the file has no
verified answer code, as for GAD-7). Any other code is refused with its reason: the
score is never guessed from a display text.

A QuestionnaireResponse is matched to an instrument by its `questionnaire` canonical:
- a Questionnaire in the same file whose `code` is the instrument's panel LOINC code;
  its items' LOINC `code`s name our items;
- the LOINC form canonical `http://loinc.org/q/<panel>` (the LHC-Forms convention),
  whose linkIds end with the item's LOINC code (`/44250-9`);
- our own Questionnaire (`…/fhir/R4/Questionnaire/instrument-<code>`, from any
  Pathways installation), whose linkIds are the item numbers (interop.questionnaires).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from interop import codes
from interop.questionnaires import questionnaire_id
from measures.models import Instrument

LOINC_FORM = "http://loinc.org/q/"
DONE = {"completed", "amended"}


def option_value(options: list[dict[str, Any]], coding: Any, *, bare: bool = False) -> int | None:
    """The score a coded answer stands for, or None when the code is not the option's.
    A code without a system is taken as the score only from our own form (`bare`): in
    another system's form "1" may well mean the first answer, which scores 0."""
    system = getattr(coding, "system", None)
    code = str(getattr(coding, "code", None) or "")
    if not code:
        return None
    for option in options:
        if system == codes.LOINC and option.get("loinc") and option["loinc"] == code:
            return int(option["value"])
        if bare and system is None and code == str(option["value"]):
            return int(option["value"])
    return None


def item_options(definition: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each item's key (its number, or an unscored item's key) and its options."""
    offered = {str(item["number"]): list(definition["options"]) for item in definition["items"]}
    for extra in definition.get("unscored_items") or []:
        offered[str(extra["key"])] = list(extra["options"])
    return offered


def item_keys_by_loinc(definition: dict[str, Any]) -> dict[str, str]:
    items = definition["items"]
    keys = {item["loinc"]: str(item["number"]) for item in items if item.get("loinc")}
    for extra in definition.get("unscored_items") or []:
        if extra.get("loinc"):
            keys[extra["loinc"]] = str(extra["key"])
    return keys


def answer_of(
    options: list[dict[str, Any]], key: str, holder: Any, *, bare: bool = False
) -> tuple[int | None, str]:
    """The score given in a component or a QuestionnaireResponse answer, or a reason.
    Codings that stand for different scores are refused, never one of them chosen."""
    low = min(o["value"] for o in options)
    high = max(o["value"] for o in options)
    value = getattr(holder, "valueInteger", None)
    if value is not None:
        if value in [o["value"] for o in options]:
            return int(value), ""
        return None, f"item {key} answered {value}, out of range ({low}–{high})."
    concept = getattr(holder, "valueCodeableConcept", None)
    codings = list(getattr(concept, "coding", None) or [])
    if (coding := getattr(holder, "valueCoding", None)) is not None:
        codings.append(coding)
    if not codings:
        return None, f"item {key} has no whole number or coded answer."
    shown = ", ".join(str(c.code) for c in codings if c.code) or "no code"
    found = {option_value(options, each, bare=bare) for each in codings} - {None}
    if len(found) > 1:
        return None, f"item {key} answered with codes ({shown}) that stand for different scores."
    if found:
        return found.pop(), ""
    return None, f"item {key} answered with a code ({shown}) that is not one of its answers."


@dataclass
class FormMatch:
    """An instrument a QuestionnaireResponse answers, and how its linkIds name items."""

    instrument: Instrument
    # linkId → item key, and the linkIds of the form's own total; for a LOINC form, the
    # last part of the linkId (`/44250-9`) is the item's LOINC code.
    keys: dict[str, str] = field(default_factory=dict)
    total_links: set[str] = field(default_factory=set)
    by_suffix: bool = False
    ours: bool = False  # a Pathways export's form: a code without a system is the score

    def _name(self, link_id: str) -> str:
        return link_id.rstrip("/").rsplit("/", 1)[-1] if self.by_suffix else link_id

    def key_of(self, link_id: str) -> str | None:
        return self.keys.get(self._name(link_id))

    def is_total(self, link_id: str) -> bool:
        return self._name(link_id) in self.total_links


class FormIndex:
    """Which instrument each Questionnaire canonical in a file stands for."""

    def __init__(self, instruments: list[Instrument]) -> None:
        self.instruments = instruments
        self.by_panel = {
            i.definition["loinc"]["panel"]: i
            for i in instruments
            if i.definition.get("loinc", {}).get("panel")
        }
        self.in_file: dict[str, FormMatch] = {}

    def add_questionnaire(self, questionnaire: Any, full_url: str) -> bool:
        """Register a Questionnaire of the file coded with one of our panels' LOINC codes
        (False: it is not one of our instruments)."""
        panels = [c for c in loinc_codes(questionnaire.code) if c in self.by_panel]
        if not panels:
            return False
        instrument = self.by_panel[panels[0]]
        by_code = item_keys_by_loinc(instrument.definition)
        total = instrument.definition["loinc"].get("total")
        url = str(questionnaire.url or "")
        match = FormMatch(instrument, ours=_is_ours(url, instrument))
        for item in _flat(questionnaire.item):
            for code in loinc_codes(item.code):
                if code in by_code:
                    match.keys[str(item.linkId)] = by_code[code]
                elif code == total:
                    match.total_links.add(str(item.linkId))
        # By its canonical with its version too: two versions of a form may name their
        # items differently, and a response names the version it answered.
        names = [full_url]
        if url:
            names += [url, f"{url}|{questionnaire.version}" if questionnaire.version else ""]
        if questionnaire.id:
            names.append(f"Questionnaire/{questionnaire.id}")
        for name in filter(None, names):
            self.in_file[name] = match
        return True

    def match(self, canonical: str) -> FormMatch | None:
        url = canonical.split("|", 1)[0]
        for name in (canonical, url):
            if name in self.in_file:
                return self.in_file[name]
        if url.startswith(LOINC_FORM):
            instrument = self.by_panel.get(url[len(LOINC_FORM) :].strip("/"))
            if instrument is None:
                return None
            total = instrument.definition["loinc"].get("total")
            return FormMatch(
                instrument,
                keys=item_keys_by_loinc(instrument.definition),
                total_links={total} if total else set(),
                by_suffix=True,
            )
        for instrument in self.instruments:
            if _is_ours(url, instrument):
                keys = {k: k for k in item_options(instrument.definition)}
                return FormMatch(instrument, keys=keys, ours=True)
        return None


def _is_ours(url: str, instrument: Instrument) -> bool:
    """A Pathways export's Questionnaire of the instrument (interop.questionnaires)."""
    return url.endswith(f"/Questionnaire/{questionnaire_id(instrument)}")


def unscored_keys(definition: dict[str, Any]) -> set[str]:
    return {str(extra["key"]) for extra in definition.get("unscored_items") or []}


def response_answers(
    form: FormMatch, qr: Any, dropped: list[str]
) -> tuple[dict[str, int], int | None, str]:
    """The answers of a QuestionnaireResponse (item key → score), the form's own total
    where it gives one, or a reason it cannot be read. An unscored item (PHQ-9's
    difficulty question) whose answer cannot be read is left out, its reason added to
    `dropped`: the score does not depend on it."""
    offered = item_options(form.instrument.definition)
    unscored = unscored_keys(form.instrument.definition)
    answers: dict[str, int] = {}
    total: int | None = None
    for item in _flat(qr.item):
        given = list(item.answer or [])
        if not given:
            continue  # a heading or an item left blank: judged by what is missing
        link_id = str(item.linkId)
        if form.is_total(link_id):
            total = getattr(given[0], "valueInteger", None)
            continue
        key = form.key_of(link_id)
        if key is None:
            return {}, None, f"an item (linkId {link_id}) is not one of its items."
        if len(given) > 1 or key in answers:
            return {}, None, f"item {key} is answered twice."
        value, problem = answer_of(offered[key], key, given[0], bare=form.ours)
        if value is None and key in unscored:
            dropped.append(problem)
            continue
        if value is None:
            return {}, None, problem
        answers[key] = value
    return answers, total, ""


def panel_answers(
    obs: Any, instrument: Instrument, dropped: list[str]
) -> tuple[dict[str, int], str]:
    """The answers of an Observation panel (item key → score), each item a component
    coded with the item's LOINC code, or a reason it cannot be read; an unscored item
    whose answer cannot be read is left out, as in `response_answers`."""
    keys = item_keys_by_loinc(instrument.definition)
    offered = item_options(instrument.definition)
    unscored = unscored_keys(instrument.definition)
    answers: dict[str, int] = {}
    for component in obs.component or []:
        key = next((keys[c] for c in loinc_codes([component.code]) if c in keys), None)
        if key is None:
            return {}, f"an item's code ({component.code.text or 'none'}) is not one of its items."
        if key in answers:
            return {}, f"item {key} is answered twice."
        value, problem = answer_of(offered[key], key, component)
        if value is None and key in unscored:
            dropped.append(problem)  # not part of the score: the rest still imports
            continue
        if value is None:
            return {}, problem
        answers[key] = value
    return answers, ""


def when_of(value: Any, what: str) -> tuple[dt.datetime | None, str]:
    """A file's date as an aware datetime, or the reason it cannot place a measure."""
    if isinstance(value, dt.datetime):
        return (value if timezone.is_aware(value) else timezone.make_aware(value)), ""
    if isinstance(value, dt.date):
        # A day without a time: local noon, as a paper form's day is stored.
        return timezone.make_aware(dt.datetime.combine(value, dt.time(12))), ""
    if isinstance(value, str) and value:
        # FHIR allows a year or a month alone; a score belongs on a day of the chart.
        return None, f"dated {value} only, without the day; a measure is stored with its day."
    return None, f"no date ({what})."


def loinc_codes(concepts: Any) -> list[str]:
    """The LOINC codes of a list of Codings or CodeableConcepts."""
    found: list[str] = []
    for concept in concepts or []:
        for coding in getattr(concept, "coding", None) or [concept]:
            if getattr(coding, "system", None) == codes.LOINC and getattr(coding, "code", None):
                found.append(str(coding.code))
    return found


def _flat(items: Any) -> list[Any]:
    """Every item, groups opened: a form may nest its questions under a heading."""
    out: list[Any] = []
    for item in items or []:
        out.append(item)
        out.extend(_flat(getattr(item, "item", None)))
        for answer in getattr(item, "answer", None) or []:
            out.extend(_flat(getattr(answer, "item", None)))
    return out
