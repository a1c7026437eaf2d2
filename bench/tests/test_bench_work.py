"""The work counter of bench/work.py: the same count for the same work, more for more."""

from __future__ import annotations

import sys

from bench.work import bytecodes


def _loop(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def test_it_counts_the_same_work_the_same() -> None:
    assert bytecodes(lambda: _loop(100)) == bytecodes(lambda: _loop(100))


def test_it_counts_more_for_more_work() -> None:
    few, many = bytecodes(lambda: _loop(10)), bytecodes(lambda: _loop(1000))

    # A hundred times the turns of the loop, each a handful of instructions.
    assert many > 10 * few


def test_it_puts_back_the_tracer_it_found() -> None:
    def tracer(*args: object) -> None:
        return None

    sys.settrace(tracer)
    try:
        bytecodes(lambda: _loop(3))
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(None)
