"""The BLS display keeps its speed (issue 12 tests, "Timing"): in headless Chromium, the
period measured over 24 passes is within ±5% of the set speed at 0.5, 1.0 and 2.0
passes per second.

Measured from the page, not from the display's own clock: the test injects its own
requestAnimationFrame loop that reads the dot's getBoundingClientRect() at every frame
with the frame's performance.now(); the turnarounds are found in those samples (the
point where two straight sweeps meet, each sweep fitted by least squares, so a frame's
jitter does not move them), and the mean pass is the time between the first and last
turnaround over the passes between them. `pytest -s` prints the figures.

The test plays the server's part through Playwright's page.route_web_socket: the page
opens its real socket URL, and the test answers it with the messages of the contract
(bls-protocol.md: code, paired, start) and reads what the display sends (progress,
finished). Nothing in the shipped page knows about it: no test hook, no backdoor. The
timing does not depend on the pairing, which test_browser_bls_display.py runs for real.
"""

from __future__ import annotations

import itertools
import json
import statistics
import time
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOLERANCE = 0.05
PASSES = 24

# Injected by the test, after the display's own script: a frame loop of its own that
# reads where the dot is on the screen, with the time of that frame.
SAMPLER = """() => {
  window.__samples = [];
  const dot = document.getElementById('bls-dot');
  const stage = document.getElementById('screen-run');
  function sample() {
    if (!stage.hidden) {
      const r = dot.getBoundingClientRect();
      window.__samples.push([performance.now(), r.left, r.top]);
    }
    requestAnimationFrame(sample);
  }
  requestAnimationFrame(sample);
}"""


class FakeServer:
    """The display socket's far end, played by the test (bls-protocol.md, "Display")."""

    def __init__(self, page: Any) -> None:
        self.socket: Any = None
        self.received: list[dict[str, Any]] = []
        page.route_web_socket("**/ws/bls/display/", self._connected)

    def _connected(self, socket: Any) -> None:
        self.socket = socket
        socket.on_message(self._message)

    def _message(self, text: str | bytes) -> None:
        message = json.loads(text)
        self.received.append(message)
        if message["type"] == "hello":
            self.send(type="code", code="482913", expires_in=120)

    def send(self, **message: Any) -> None:
        self.socket.send(json.dumps(message))

    def finished(self) -> dict[str, Any] | None:
        return next((m for m in self.received if m["type"] == "finished"), None)


@dataclass
class Figures:
    speed: float
    mode: str
    passes_seen: int
    mean_s: float
    stdev_s: float
    shortest_s: float
    longest_s: float
    frames: int

    @property
    def expected_s(self) -> float:
        return 1 / self.speed

    @property
    def error(self) -> float:
        return self.mean_s / self.expected_s - 1


def _fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares line x = a + b·t through the points: (a, b)."""
    ts = [t for t, _ in points]
    xs = [x for _, x in points]
    mt, mx = statistics.fmean(ts), statistics.fmean(xs)
    b = sum((t - mt) * (x - mx) for t, x in points) / sum((t - mt) ** 2 for t in ts)
    return mx - b * mt, b


def turnarounds(samples: list[tuple[float, float]]) -> list[float | None]:
    """The times (ms) at which the dot turns: the sweeps are the runs of samples that
    move the same way; each sweep's middle 80% (away from the ends, where a frame may
    hold the dot at the edge) is fitted by a line, and two neighbouring sweeps meet at
    the turnaround. A sweep the browser drew in fewer than 3 frames of its middle (a
    starved machine) cannot be fitted: its two turnarounds are None, not guessed."""
    low = min(x for _, x in samples)
    high = max(x for _, x in samples)
    span = high - low
    sweeps: list[list[tuple[float, float]]] = []
    direction = 0
    for (t0, x0), (t1, x1) in itertools.pairwise(samples):
        step = x1 - x0
        if abs(step) < 1e-6:
            continue  # at rest (before the start, at an edge, after the end)
        way = 1 if step > 0 else -1
        if way != direction:
            sweeps.append([(t0, x0)])
            direction = way
        sweeps[-1].append((t1, x1))
    lines: list[tuple[float, float] | None] = []
    for sweep in sweeps:
        middle = [(t, x) for t, x in sweep if low + 0.1 * span <= x <= high - 0.1 * span]
        lines.append(_fit(middle) if len(middle) >= 3 else None)
    times: list[float | None] = []
    for one, other in itertools.pairwise(lines):
        if one is None or other is None:
            times.append(None)
            continue
        (a1, b1), (a2, b2) = one, other
        times.append((a2 - a1) / (b1 - b2))
    return times


def mean_pass_ms(turns: list[float | None]) -> float:
    """The mean time between turnarounds: the slope of turnaround time against its
    number, over the turnarounds that could be fitted (a missing one leaves a gap in
    the numbers, never a wrong time)."""
    known = [(k, t) for k, t in enumerate(turns) if t is not None]
    _, slope = _fit([(float(k), t) for k, t in known])
    return slope


def measure(page: Any, *, speed: float, mode: str) -> Figures:
    server = FakeServer(page)
    page.goto("/display/")
    page.get_by_role("button", name="Tap to begin").click()
    expect(page.locator("#code-digits")).to_have_text("482\u2009913")
    server.send(type="paired", resume="resume-token-for-the-test")
    expect(page.locator("#ready-text")).to_have_text(
        "Connected. Waiting for your therapist to start."
    )
    page.evaluate(SAMPLER)
    server.send(
        type="start",
        mode=mode,
        speed=speed,
        passes=PASSES,
        seconds=None,
        direction="horizontal",
        colour="#ffd400",
        size=40,
        background="#000000",
    )
    expect(page.locator("#screen-run")).to_be_visible()
    # The set ends by itself; leave room for a slow machine.
    deadline = time.monotonic() + PASSES / speed + 20
    while server.finished() is None and time.monotonic() < deadline:
        page.wait_for_timeout(200)  # lets Playwright deliver the socket's frames
    finished = server.finished()
    assert finished is not None, "the set did not finish by itself"
    assert finished["passes"] == PASSES, finished
    assert finished["reason"] == "done", finished

    samples = [(t, x) for t, x, _ in page.evaluate("window.__samples")]
    turns = turnarounds(samples)
    # 24 passes: 23 turnarounds between them (the set starts and ends at rest).
    assert len(turns) == PASSES - 1, f"{len(turns)} turnarounds"
    # At least two thirds of them drawn well enough to place; the rest is a busy machine.
    fitted = [t for t in turns if t is not None]
    assert len(fitted) >= 2 * (PASSES - 1) // 3, f"only {len(fitted)} turnarounds fitted"
    periods = [
        (b - a) / 1000 for a, b in itertools.pairwise(turns) if a is not None and b is not None
    ]
    return Figures(
        speed=speed,
        mode=mode,
        passes_seen=len(turns) + 1,
        mean_s=mean_pass_ms(turns) / 1000,
        stdev_s=statistics.stdev(periods),
        shortest_s=min(periods),
        longest_s=max(periods),
        frames=len(samples),
    )


@pytest.mark.parametrize(
    ("speed", "mode"),
    [(0.5, "both"), (1.0, "both"), (2.0, "both"), (2.0, "eyes")],
    ids=["0.5-both", "1.0-both", "2.0-both", "2.0-eyes"],
)
def test_it_keeps_the_set_speed_within_five_percent(page: Any, speed: float, mode: str) -> None:
    """With tones on, the motion runs on the audio clock; with the dot alone, on the
    page's clock (display.js): both are measured against the frames' own time."""
    figures = measure(page, speed=speed, mode=mode)
    print(
        f"\nBLS timing {figures.mode} at {figures.speed} passes/s: "
        f"{figures.passes_seen} passes over {figures.frames} frames; "
        f"mean pass {figures.mean_s * 1000:.1f} ms (expected {figures.expected_s * 1000:.1f} ms, "
        f"{figures.error * 100:+.2f}%); per pass sd {figures.stdev_s * 1000:.1f} ms, "
        f"shortest {figures.shortest_s * 1000:.1f} ms, longest {figures.longest_s * 1000:.1f} ms"
    )
    assert abs(figures.error) <= TOLERANCE


def test_it_keeps_the_dot_in_place_when_the_speed_changes_mid_set(page: Any) -> None:
    """A speed change re-anchors the phase: the dot carries on from where it is, in the
    same direction. Changed as the dot crosses the middle of its first pass at 0.5/s,
    a phase computed afresh at 2.0/s would put it at the left edge (a jump of half the
    screen); the dot's fastest step from one frame to the next stays that of 2.0/s."""
    server = FakeServer(page)
    page.goto("/display/")
    page.get_by_role("button", name="Tap to begin").click()
    expect(page.locator("#code-digits")).to_have_text("482\u2009913")
    server.send(type="paired", resume="resume-token-for-the-test")
    expect(page.locator("#screen-ready")).to_be_visible()
    page.evaluate(SAMPLER)
    server.send(
        type="start",
        mode="eyes",
        speed=0.5,
        passes=6,
        seconds=None,
        direction="horizontal",
        colour="#ffd400",
        size=40,
        background="#000000",
    )
    page.wait_for_function(
        "() => { const r = document.getElementById('bls-dot').getBoundingClientRect();"
        " return r.left + r.width / 2 > window.innerWidth / 2; }"
    )
    server.send(type="settings", speed=2.0)
    deadline = time.monotonic() + 20
    while server.finished() is None and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    finished = server.finished()
    assert finished is not None
    assert finished["passes"] == 6, finished
    samples = [(t, x) for t, x, _ in page.evaluate("window.__samples")]
    low = min(x for _, x in samples)
    span = max(x for _, x in samples) - low
    # The sampler runs before the display's own frame callback: what it reads at a
    # frame was drawn at the frame before, and under load the two callbacks of one
    # frame can see clocks a frame apart. So a step is divided by the two intervals
    # around it: a generous bound (a 60 Hz frame pair allows about 90 px at 2.0/s),
    # still far below the half-screen jump (about 500 px) a phase computed afresh makes.
    speeds = [
        abs(samples[k][1] - samples[k - 1][1]) / ((samples[k][0] - samples[k - 2][0]) / 1000)
        for k in range(2, len(samples))
        if samples[k][0] > samples[k - 2][0]
    ]
    assert max(speeds) <= span * 2.0 * 1.3, (max(speeds), span)
    # The change took: the later sweeps last about half a second.
    turns = turnarounds(samples)
    assert len(turns) == 5, turns
    last, before = turns[-1], turns[-2]
    assert last is not None, turns
    assert before is not None, turns
    assert abs((last - before) / 1000 - 0.5) < 0.05, turns


def test_it_stops_a_set_of_seconds_by_itself_at_the_end_of_a_pass(page: Any) -> None:
    """A set of 3 seconds at 1.0 pass/s: 3 passes, then it stops by itself (reported
    done, with its duration), and the display waits for the next."""
    server = FakeServer(page)
    page.goto("/display/")
    page.get_by_role("button", name="Tap to begin").click()
    expect(page.locator("#code-digits")).to_have_text("482\u2009913")
    server.send(type="paired", resume="resume-token-for-the-test")
    expect(page.locator("#screen-ready")).to_be_visible()
    server.send(
        type="start",
        mode="both",
        speed=1.0,
        passes=None,
        seconds=3,
        direction="diagonal",
        colour="#ffffff",
        size=60,
        background="#203040",
    )
    expect(page.locator("#screen-run")).to_be_visible()
    expect(page.locator("#ready-text")).to_have_text(
        "Set finished. Waiting for your therapist.", timeout=10_000
    )
    page.wait_for_timeout(300)  # lets Playwright deliver the last frames
    finished = server.finished()
    assert finished is not None
    assert (finished["passes"], finished["reason"]) == (3, "done")
    assert 2900 <= finished["ms"] <= 3100
    progress = [m["passes"] for m in server.received if m["type"] == "progress"]
    assert progress == [1, 2, 3]
