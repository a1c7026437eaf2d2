"""The bench's figures, bars, table and JSON from a fixed set of samples (bench/results.py)."""

from __future__ import annotations

import json

import pytest

from bench.results import (
    AUDIT,
    FAILED,
    FLOOR,
    MISSED,
    NO_BAR,
    OK,
    OUTCOMES,
    PARTNER,
    PICTURE,
    PUBLIC,
    REFERENCE,
    STAFF,
    Endpoint,
    Sample,
    as_json,
    build_report,
    judge,
    judge_rss,
    markdown,
    percentile,
)


def samples(*ms: float, queries: int = 3, failed: int = 0) -> list[Sample]:
    found = [Sample(m, True, queries, 200) for m in ms]
    found += [Sample(5000.0, False, None, 302, "status 302, not 200") for _ in range(failed)]
    return found


FLOOR_TIMES = (1.0, 2.0, 2.0, 3.0, 10.0)  # p50 2.0, p95 10.0


CONTEXT = {
    "database": "SQLite 3.40",
    "clients": 20,
    "seconds": 2,
    "machine": {"cpu": "AMD EPYC", "cores": 2, "memory_gb": 23.5},
}


def report() -> object:
    runs = [
        (
            Endpoint("floor", FLOOR, "GET", "/bench/floor/", ""),
            samples(*FLOOR_TIMES, queries=0),
            2.0,
        ),
        (Endpoint("home", PUBLIC, "GET", "/", ""), samples(2.5, 3.0, 3.5, queries=1), 2.0),
        (Endpoint("inbox", STAFF, "GET", "/staff/requests/", "intake"), samples(14, 16, 20), 4.0),
        (
            Endpoint("client chart", STAFF, "GET", "/staff/clients/1/", "t"),
            [Sample(10, True, 30), Sample(12, True, 32), Sample(40, True, 31)],
            1.0,
        ),
        (Endpoint("outcomes", OUTCOMES, "GET", "/o/", "admin"), samples(900, 1200, 999), 2.0),
        (Endpoint("audit", AUDIT, "GET", "/a/", "admin"), samples(100, 299, failed=1), 2.0),
    ]
    workers = [
        {"pid": 11, "hwm_mb": 150.0, "rss_mb": 120.0},
        {"pid": 12, "hwm_mb": 250.4, "rss_mb": 200.0},
    ]
    return build_report(runs, workers, CONTEXT)


def test_it_takes_the_nearest_rank_percentile() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile(list(map(float, range(1, 101))), 95) == 95.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_it_computes_each_row_from_its_samples() -> None:
    rows = {r.name: r for r in report().rows}  # type: ignore[attr-defined]
    floor, home, inbox, chart = rows["floor"], rows["home"], rows["inbox"], rows["client chart"]
    assert (floor.p50, floor.p95, floor.rps, floor.ratio) == (2.0, 10.0, 2.5, 1.0)
    assert (home.p50, home.ratio, home.queries) == (3.0, 1.5, 1)
    assert (inbox.p50, inbox.p95, inbox.rps, inbox.ratio) == (16, 20, 0.75, 8.0)
    assert (chart.queries, chart.queries_range) == (31, (30, 32))
    assert rows["audit"].failures == 1
    assert rows["audit"].requests == 3
    assert rows["audit"].errors == ["status 302, not 200"]


def test_it_judges_each_row_against_its_bar() -> None:
    verdicts = {r.name: r.verdict for r in report().rows}  # type: ignore[attr-defined]
    # home: 3.0 ≤ 1.5 × 2.0; inbox: 16 ≤ 3 × 2.0 + 10; the chart's 12 too;
    # outcomes: 999 < 1000; audit: a failed request whatever its times.
    assert verdicts == {
        "floor": NO_BAR,
        "home": OK,
        "inbox": OK,
        "client chart": OK,
        "outcomes": OK,
        "audit": FAILED,
    }


@pytest.mark.parametrize(
    ("kind", "p50", "verdict"),
    [
        (STAFF, 16.0, OK),  # 3 × 2 + 10 = 16: "at most"
        (STAFF, 16.1, MISSED),
        (PARTNER, 16.1, MISSED),
        (PUBLIC, 3.0, OK),  # 1.5 × 2
        (PUBLIC, 3.1, MISSED),
        (OUTCOMES, 999.9, OK),
        (OUTCOMES, 1000.0, MISSED),  # "under 1 s"
        (AUDIT, 299.9, OK),
        (AUDIT, 300.0, MISSED),
        (PICTURE, 49.9, OK),
        (PICTURE, 50.0, MISSED),
        (REFERENCE, 500.0, NO_BAR),
        (FLOOR, 2.0, NO_BAR),
    ],
)
def test_it_applies_the_bars_of_issue_14(kind: str, p50: float, verdict: str) -> None:
    assert judge(kind, p50, 2.0, failures=0) == verdict


def test_it_fails_a_row_with_a_failed_request_or_no_floor() -> None:
    assert judge(PICTURE, 1.0, 2.0, failures=1) == FAILED
    assert judge(STAFF, 1.0, None, failures=0) == FAILED  # a relative bar needs the floor
    assert judge(AUDIT, None, 2.0, failures=0) == FAILED  # no request answered


def test_it_judges_the_workers_memory() -> None:
    assert judge_rss(199.9) == OK
    assert judge_rss(200.0) == MISSED
    workers = report().workers  # type: ignore[attr-defined]
    assert [w["verdict"] for w in workers] == [OK, MISSED]


def test_it_writes_the_table() -> None:
    table = markdown(report())  # type: ignore[arg-type]
    assert table.startswith("# make bench: SQLite 3.40, 20 clients")
    assert "Machine: AMD EPYC, 2 cores, 23.5 GB." in table
    assert "| floor | anonymous | 2.0 | 10.0 | 2.5 | 1.0× | 0 | 0 of 5 | — | — |" in table
    assert (
        "| home | anonymous | 3.0 | 3.5 | 1.5 | 1.5× | 1 | 0 of 3 | ≤ 1.5× floor | ok |" in table
    )
    assert (
        "| client chart | t | 12.0 | 40.0 | 3.0 | 6.0× | 31 (30–32) | 0 of 3 "
        "| ≤ 3× floor + 10 ms | ok |"
    ) in table
    # The times are those of the answers the endpoint must give (the 302 is left out).
    assert "| audit | admin | 100 | 299 | 1.5 | 50.0× | 3 | 1 of 3 | < 300 ms | FAILED |" in table
    assert "| pid 12 | 250 MB | 200 MB | < 200 MB | MISSED |" in table
    assert "- audit: status 302, not 200" in table


def test_it_writes_the_json() -> None:
    the_report = report()
    data = json.loads(as_json(the_report))  # type: ignore[arg-type]
    assert data["failed"] is True
    assert data["context"] == CONTEXT
    inbox = next(e for e in data["endpoints"] if e["name"] == "inbox")
    assert inbox["p50"] == 16
    assert inbox["p95"] == 20
    assert inbox["ratio"] == 8.0
    assert inbox["bar"] == "≤ 3× floor + 10 ms"
    assert inbox["verdict"] == OK
    assert data["workers"][1] == {"pid": 12, "hwm_mb": 250.4, "rss_mb": 200.0, "verdict": MISSED}
