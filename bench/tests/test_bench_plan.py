"""BENCH_ONLY's choice of endpoints (bench.plan.chosen)."""

from __future__ import annotations

from bench.plan import FLOOR_NAME, SIGNED_IN_FLOOR_NAME, Step, chosen

NAMES = [FLOOR_NAME, SIGNED_IN_FLOOR_NAME, "home", "audit report", "audit report, one client"]
STEPS = [Step(name, "staff", "GET", "/", "", 200) for name in NAMES]


def names(only: tuple[str, ...]) -> tuple[list[str], set[str]]:
    picked, unknown = chosen(STEPS, only)
    return [s.name for s in picked], unknown


def test_it_runs_everything_when_nothing_is_named() -> None:
    assert names(()) == (NAMES, set())


def test_it_always_runs_both_floors() -> None:
    assert names(("home",)) == ([FLOOR_NAME, SIGNED_IN_FLOOR_NAME, "home"], set())


def test_it_takes_a_name_with_a_comma_from_its_parts() -> None:
    picked, unknown = names(("audit report", "one client"))

    assert picked == [FLOOR_NAME, SIGNED_IN_FLOOR_NAME, "audit report", "audit report, one client"]
    assert unknown == set()


def test_it_names_what_matches_no_endpoint() -> None:
    assert names(("home", "one client", "nowhere"))[1] == {"one client", "nowhere"}
