"""Outcome instruments as data: load the JSON definitions in ``measures/instruments/``
and check that each one is complete and self-consistent before anything scores with it.

A definition that fails a check raises ``InvalidDefinition`` (a ``ValueError``) naming
the instrument and the problem, so a typo in the data stops at load time, not when a
client's answers are scored. Adding an instrument means adding a JSON file; nothing
here names PHQ-9, GAD-7 or PCL-5.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"

SCHEMA_VERSION = 1
CHANGE_RULES = {
    # rule name -> the one threshold key it takes
    "response": "min_percent_reduction",
    "remission": "total_below",
    "meaningful": "min_points_reduction",
    "reliable": "min_points_reduction",
}
REQUIRED = (
    "schema",
    "code",
    "name",
    "short_name",
    "version",
    "source",
    "licence",
    "loinc",
    "higher_is_worse",
    "stem",
    "options",
    "items",
    "total",
    "bands",
    "bands_source",
)
LOINC_CODE = re.compile(r"^\d{1,7}-\d$")
LOINC_ANSWER = re.compile(r"^LA\d{1,7}-\d$")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")

Definition = dict[str, Any]


class InvalidDefinition(ValueError):
    """An instrument definition that cannot be used; the message says why."""


def loinc_check_digit_ok(code: str) -> bool:
    """LOINC's mod-10 check digit (the Luhn algorithm over the part before the dash)."""
    body, _, check = code.partition("-")
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(check)


def load_instrument(path: str | Path) -> Definition:
    """Read one definition from a JSON file and validate it."""
    path = Path(path)
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InvalidDefinition(f"{path.name}: not valid JSON ({exc})") from None
    if not isinstance(definition, dict):
        raise InvalidDefinition(f"{path.name}: the document must be a JSON object")
    validate_definition(definition, where=path.name)
    return definition


def load_all(directory: str | Path = INSTRUMENTS_DIR) -> dict[str, Definition]:
    """Every ``*.json`` definition in the directory, by code."""
    definitions: dict[str, Definition] = {}
    for path in sorted(Path(directory).glob("*.json")):
        definition = load_instrument(path)
        if definition["code"] in definitions:
            raise InvalidDefinition(f"{path.name}: code {definition['code']!r} is used twice")
        definitions[definition["code"]] = definition
    return definitions


# --- Validation ------------------------------------------------------------------


def validate_definition(definition: Mapping[str, Any], where: str = "") -> None:
    """Raise ``InvalidDefinition`` for the first problem found."""
    name = where or str(definition.get("code") or "instrument")

    def fail(message: str) -> InvalidDefinition:
        return InvalidDefinition(f"{name}: {message}")

    missing = [key for key in REQUIRED if key not in definition]
    if missing:
        raise fail(f"missing field(s): {', '.join(missing)}")
    if definition["schema"] != SCHEMA_VERSION:
        raise fail(f"schema must be {SCHEMA_VERSION}, not {definition['schema']!r}")
    if not isinstance(definition["code"], str) or not CODE.match(definition["code"]):
        raise fail("code must be lower-case letters, digits and underscores")
    for key in ("name", "short_name", "version", "source", "licence", "stem", "bands_source"):
        _text(definition[key], key, fail)
    if not isinstance(definition["higher_is_worse"], bool):
        raise fail("higher_is_worse must be true or false")

    _check_loinc(definition["loinc"], fail)
    values = _check_options(definition["options"], "options", fail)
    numbers = _check_items(definition["items"], values, fail)
    _check_unscored(definition.get("unscored_items") or [], fail)
    low, high = _check_total(definition["total"], len(numbers), values, fail)
    _check_bands(definition["bands"], low, high, fail)
    _check_cut_point(definition.get("cut_point"), definition["bands"], low, high, fail)
    _check_clusters(definition.get("clusters") or [], numbers, fail)
    _check_provisional(definition, values, fail)
    _check_change_rules(definition.get("change_rules") or {}, low, high, fail)


def _text(value: Any, what: str, fail: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(f"{what} must be a non-empty string")
    return value


def _int(value: Any, what: str, fail: Any) -> int:
    # bool is an int in Python; true/false is never a valid score.
    if not isinstance(value, int) or isinstance(value, bool):
        raise fail(f"{what} must be an integer, not {value!r}")
    return value


def _code(value: Any, what: str, pattern: re.Pattern[str], fail: Any) -> None:
    """A code is a string: empty when unverified, else well formed."""
    if not isinstance(value, str):
        raise fail(f"{what} must be a string (empty when unverified)")
    if value and not pattern.match(value):
        raise fail(f"{what} {value!r} is not a well-formed code")
    if value and pattern is LOINC_CODE and not loinc_check_digit_ok(value):
        raise fail(f"{what} {value!r} has a wrong check digit")


def _check_loinc(loinc: Any, fail: Any) -> None:
    if not isinstance(loinc, dict):
        raise fail("loinc must be an object with panel and total")
    for key in ("panel", "total"):
        _code(loinc.get(key), f"loinc.{key}", LOINC_CODE, fail)
    if loinc["panel"] and loinc["panel"] == loinc["total"]:
        raise fail("loinc.total must not be the panel code")


def _check_options(options: Any, what: str, fail: Any) -> list[int]:
    if not isinstance(options, list) or len(options) < 2:
        raise fail(f"{what} must list at least two answer options")
    values: list[int] = []
    labels: set[str] = set()
    for index, option in enumerate(options, start=1):
        if not isinstance(option, dict):
            raise fail(f"{what} #{index} must be an object")
        value = _int(option.get("value"), f"{what} #{index} value", fail)
        label = _text(option.get("label"), f"{what} #{index} label", fail)
        if value in values:
            raise fail(f"{what}: answer value {value} is used twice")
        if label in labels:
            raise fail(f"{what}: answer label {label!r} is used twice")
        _code(option.get("loinc", ""), f"{what} #{index} loinc", LOINC_ANSWER, fail)
        values.append(value)
        labels.add(label)
    if values != sorted(values):
        raise fail(f"{what}: answer values must be listed in ascending order")
    return values


def _check_items(items: Any, values: list[int], fail: Any) -> list[int]:
    if not isinstance(items, list) or not items:
        raise fail("items must be a non-empty list")
    numbers: list[int] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise fail(f"item #{index} must be an object")
        number = _int(item.get("number"), f"item #{index} number", fail)
        if number != index:
            raise fail(f"items must be numbered 1..{len(items)} in order; #{index} is {number}")
        _text(item.get("text"), f"item {number} text", fail)
        _code(item.get("loinc", ""), f"item {number} loinc", LOINC_CODE, fail)
        if item.get("safety_item") is not None:
            if not isinstance(item["safety_item"], bool):
                raise fail(f"item {number} safety_item must be true or false")
            if item["safety_item"]:
                threshold = _int(
                    item.get("safety_threshold"), f"item {number} safety_threshold", fail
                )
                if not values[0] <= threshold < values[-1]:
                    raise fail(
                        f"item {number} safety_threshold {threshold} must be an answer "
                        "value below the highest one"
                    )
                _text(item.get("safety_source"), f"item {number} safety_source", fail)
        numbers.append(number)
    return numbers


def _check_unscored(unscored: Any, fail: Any) -> None:
    if not isinstance(unscored, list):
        raise fail("unscored_items must be a list")
    keys: set[str] = set()
    for index, item in enumerate(unscored, start=1):
        if not isinstance(item, dict):
            raise fail(f"unscored item #{index} must be an object")
        key = _text(item.get("key"), f"unscored item #{index} key", fail)
        if key in keys:
            raise fail(f"unscored item key {key!r} is used twice")
        keys.add(key)
        _text(item.get("text"), f"unscored item {key!r} text", fail)
        _code(item.get("loinc", ""), f"unscored item {key!r} loinc", LOINC_CODE, fail)
        _check_options(item.get("options"), f"unscored item {key!r} options", fail)


def _check_total(total: Any, count: int, values: list[int], fail: Any) -> tuple[int, int]:
    if not isinstance(total, dict):
        raise fail("total must be an object with min and max")
    low = _int(total.get("min"), "total.min", fail)
    high = _int(total.get("max"), "total.max", fail)
    expected = (count * values[0], count * values[-1])
    if (low, high) != expected:
        raise fail(
            f"total range {low}–{high} does not match {count} items scored "
            f"{values[0]}–{values[-1]} ({expected[0]}–{expected[1]})"
        )
    return low, high


def _check_bands(bands: Any, low: int, high: int, fail: Any) -> None:
    if not isinstance(bands, list) or not bands:
        raise fail("bands must be a non-empty list")
    keys: set[str] = set()
    expected_min = low
    for index, band in enumerate(bands, start=1):
        if not isinstance(band, dict):
            raise fail(f"band #{index} must be an object")
        key = _text(band.get("key"), f"band #{index} key", fail)
        _text(band.get("label"), f"band {key!r} label", fail)
        if key in keys:
            raise fail(f"band key {key!r} is used twice")
        keys.add(key)
        band_min = _int(band.get("min"), f"band {key!r} min", fail)
        band_max = _int(band.get("max"), f"band {key!r} max", fail)
        if band_max < band_min:
            raise fail(f"band {key!r} ends ({band_max}) before it starts ({band_min})")
        if band_min > expected_min:
            raise fail(f"bands leave a gap: {expected_min}–{band_min - 1} is in no band")
        if band_min < expected_min:
            raise fail(f"bands overlap: band {key!r} starts at {band_min}, inside the band before")
        expected_min = band_max + 1
    if bands[0]["min"] != low:
        raise fail(f"bands must start at the lowest total, {low}")
    if expected_min - 1 != high:
        raise fail(f"bands must end at the highest total, {high}, not {expected_min - 1}")


def _check_cut_point(cut_point: Any, bands: list[Any], low: int, high: int, fail: Any) -> None:
    if cut_point is None:
        return
    if not isinstance(cut_point, dict):
        raise fail("cut_point must be an object or null")
    default = _int(cut_point.get("default"), "cut_point.default", fail)
    if not low < default <= high:
        raise fail(f"cut_point.default {default} must be above {low} and at most {high}")
    for side in ("below", "at_or_above"):
        part = cut_point.get(side)
        if not isinstance(part, dict):
            raise fail(f"cut_point.{side} must be an object with key and label")
        _text(part.get("key"), f"cut_point.{side}.key", fail)
        _text(part.get("label"), f"cut_point.{side}.label", fail)
    _text(cut_point.get("source"), "cut_point.source", fail)
    expected = [
        (cut_point["below"]["key"], low, default - 1),
        (cut_point["at_or_above"]["key"], default, high),
    ]
    actual = [(band["key"], band["min"], band["max"]) for band in bands]
    if actual != expected:
        raise fail("bands must be the two cut-point bands for cut_point.default")


def _check_clusters(clusters: Any, numbers: list[int], fail: Any) -> None:
    if not isinstance(clusters, list):
        raise fail("clusters must be a list")
    seen: dict[int, str] = {}
    keys: set[str] = set()
    for index, cluster in enumerate(clusters, start=1):
        if not isinstance(cluster, dict):
            raise fail(f"cluster #{index} must be an object")
        key = _text(cluster.get("key"), f"cluster #{index} key", fail)
        if key in keys:
            raise fail(f"cluster key {key!r} is used twice")
        keys.add(key)
        _text(cluster.get("label"), f"cluster {key!r} label", fail)
        items = cluster.get("items")
        if not isinstance(items, list) or not items:
            raise fail(f"cluster {key!r} must list its items")
        for number in items:
            _int(number, f"cluster {key!r} item", fail)
            if number not in numbers:
                raise fail(f"cluster {key!r} names item {number}, which does not exist")
            if number in seen:
                raise fail(f"item {number} is in clusters {seen[number]!r} and {key!r}")
            seen[number] = key
        if "min_endorsed" in cluster:
            needed = _int(cluster["min_endorsed"], f"cluster {key!r} min_endorsed", fail)
            if not 0 <= needed <= len(items):
                raise fail(f"cluster {key!r} min_endorsed must be 0..{len(items)}")


def _check_provisional(definition: Mapping[str, Any], values: list[int], fail: Any) -> None:
    provisional = definition.get("provisional")
    if provisional is None:
        return
    if not isinstance(provisional, dict):
        raise fail("provisional must be an object or null")
    level = _int(provisional.get("endorsed_at_or_above"), "provisional.endorsed_at_or_above", fail)
    if level not in values:
        raise fail(f"provisional.endorsed_at_or_above {level} is not an answer value")
    for key in ("label", "not_met_label", "source"):
        _text(provisional.get(key), f"provisional.{key}", fail)
    clusters = definition.get("clusters") or []
    if not clusters or any("min_endorsed" not in cluster for cluster in clusters):
        raise fail("a provisional rule needs clusters, each with min_endorsed")


def _check_change_rules(rules: Any, low: int, high: int, fail: Any) -> None:
    if not isinstance(rules, dict):
        raise fail("change_rules must be an object")
    for name, rule in rules.items():
        if name not in CHANGE_RULES:
            raise fail(f"unknown change rule {name!r} (known: {', '.join(CHANGE_RULES)})")
        if not isinstance(rule, dict):
            raise fail(f"change rule {name!r} must be an object")
        threshold_key = CHANGE_RULES[name]
        threshold = rule.get(threshold_key)
        if not isinstance(threshold, int | float) or isinstance(threshold, bool):
            raise fail(f"change rule {name!r} needs a number {threshold_key}")
        if threshold <= 0:
            raise fail(f"change rule {name!r} {threshold_key} must be above 0")
        if name == "response" and threshold > 100:
            raise fail("change rule 'response' cannot need more than a 100% reduction")
        if name == "remission" and not low < threshold <= high:
            raise fail(f"change rule 'remission' total_below must be within {low + 1}–{high}")
        _text(rule.get("label"), f"change rule {name!r} label", fail)
        _text(rule.get("source"), f"change rule {name!r} source", fail)
