"""State transitions: one table per status enum, one check.

Each app declares `<NAME>_TRANSITIONS = {status: (statuses it may move to), ...}`
beside its status enum, and every service that changes a status calls
`check_transition` under the row lock, so a caller that skips the page (a crafted
POST, a management command) cannot store a move the table does not allow.
`pathways/tests/test_transitions.py` checks every table covers its enum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Transitions = Mapping[str, tuple[str, ...]]


class TransitionError(ValueError):
    """A status change the table does not allow; the message is for the person."""


def allowed(table: Transitions, current: str) -> tuple[str, ...]:
    return tuple(table.get(current, ()))


def check_transition(
    table: Transitions, current: str, target: str, *, error: Exception | None = None
) -> None:
    """Raise `error` (or a TransitionError) unless `table` lets `current` move to `target`."""
    if target not in allowed(table, current):
        raise error or TransitionError(f"“{current}” cannot move to “{target}”.")


def table_problems(table: Transitions, statuses: Iterable[str]) -> list[str]:
    """What is wrong with a table for an enum: a status with no row, or an unknown one."""
    known = set(statuses)
    problems = [f"no row for {s!r}" for s in sorted(known - set(table))]
    problems += [f"unknown status {s!r}" for s in sorted(set(table) - known)]
    for source, targets in table.items():
        problems += [f"{source!r} -> unknown {t!r}" for t in targets if t not in known]
    return problems
