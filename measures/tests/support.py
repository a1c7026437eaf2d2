"""Helpers for the measures tests: the shipped definitions, and answer sets."""

from __future__ import annotations

import copy
from typing import Any

from accounts.actor import Actor
from measures.registry import load_all

DEFINITIONS = load_all()
PHQ9 = DEFINITIONS["phq9"]
GAD7 = DEFINITIONS["gad7"]
PCL5 = DEFINITIONS["pcl5"]

# Who acts in the service calls of these tests: the client answering through a link,
# and the scheduler (neither has a user or, in a test, an address).
ON_LINK = Actor.client_on_link(None)
SYSTEM = Actor.system()


def copy_of(definition: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(definition)


def answers(definition: dict[str, Any], value: int = 0, **items: int) -> dict[int, int]:
    """Every item answered ``value``; ``q3=2`` sets item 3."""
    result = {item["number"]: value for item in definition["items"]}
    for key, item_value in items.items():
        result[int(key.removeprefix("q"))] = item_value
    return result


def answers_totalling(definition: dict[str, Any], total: int) -> dict[int, int]:
    """A valid answer set whose total is ``total`` (fills items from item 1)."""
    top = definition["options"][-1]["value"]
    result: dict[int, int] = {}
    remaining = total
    for item in definition["items"]:
        result[item["number"]] = min(top, remaining)
        remaining -= result[item["number"]]
    assert remaining == 0, f"{total} is out of range"
    return result
