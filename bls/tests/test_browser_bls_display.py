"""The BLS display run from the EMDR record, with two pages (issue 12 tests, "A browser
test with two pages"): the therapist's record and a display paired by its code, through
the real server (daphne serving pathways.asgi: the `asgi_page` fixture). The therapist
runs a set at 2.0 passes/s; the display's dot moves; the set logs itself and the report
form opens; then the display's connection drops mid-set: the display says it is paused
and the log marks the set interrupted. Also: the display holds no PHI, in its HTML or in
any frame it receives; and on one computer, "Open the display in a new window" pairs the
new window by itself.

The display's socket goes through Playwright's page.route_web_socket, connected on to
the real server: the test reads every frame the display receives, and drops the
connection when it chooses. The shipped page has no hook for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from bls.models import BlsType, DesensitisationSet, EmdrRecord
from dosing.tests.support import picture_settled
from pathways.testing import make_partner, make_phi_client, make_prescriber, make_user
from pathways.testing.browser import assert_accessible, screenshot, sign_in

from .support import make_emdr_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How far the dot travels in half a second (at 2 passes/s: a whole sweep, whatever the
# moment it is read): its left edge read every 50 ms, the spread of the readings.
DOT_MOVES = """() => new Promise(done => {
  const seen = [];
  const read = () => {
    seen.push(document.getElementById('bls-dot').getBoundingClientRect().left);
    if (seen.length < 11) { setTimeout(read, 50); return; }
    done(Math.max(...seen) - Math.min(...seen));
  };
  read();
})"""


class Relay:
    """The display's socket, passed on to the real server; every frame from the server
    kept, and the connection dropped on demand (the display then reconnects)."""

    def __init__(self, page: Any) -> None:
        self.frames: list[str] = []
        self.links: list[tuple[Any, Any]] = []
        page.route_web_socket("**/ws/bls/display/", self._connected)

    def _connected(self, socket: Any) -> None:
        server = socket.connect_to_server()
        self.links.append((socket, server))

        def down(message: str | bytes) -> None:
            self.frames.append(message if isinstance(message, str) else message.decode())
            socket.send(message)

        server.on_message(down)
        socket.on_message(lambda message: server.send(message))

    def drop(self) -> None:
        socket, server = self.links[-1]
        socket.close(code=4000, reason="the test drops the display")
        server.close()


@pytest.fixture
def display_page(browser: Any, asgi_live_server: Any) -> Iterator[Any]:
    """A second browser (the client's screen) at the same server, failing the test on a
    script error or CSP violation like the `page` fixture."""
    context = browser.new_context(
        base_url=asgi_live_server.url, viewport={"width": 1024, "height": 700}
    )
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda exc: errors.append(str(exc)))
    new_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield new_page
    context.close()
    # The server finishes what the closed page's sockets started (a pairing written
    # as the display leaves) before the test database is emptied.
    asgi_live_server.wait_idle()
    assert errors == [], errors


def _record(therapist_name: str = "theo") -> EmdrRecord:
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user(therapist_name, Role.THERAPIST, first_name="Theo", last_name="Vance")
    priya = make_prescriber("priya", partner, first_name="Priya")
    return make_emdr_session(theo, priya, partner, client=make_phi_client(theo)).record


def _show_code(display: Any) -> str:
    display.goto("/display/")
    display.get_by_role("button", name="Tap to begin").click()
    spoken = display.locator("#code-spoken")
    expect(spoken).to_have_text(re.compile(r"^\d \d \d \d \d \d$"))
    return str(spoken.inner_text()).replace(" ", "")


def _pair(page: Any, display: Any, record: EmdrRecord) -> None:
    sign_in(page, "theo")
    page.goto(record.get_absolute_url())
    code = _show_code(display)
    panel = page.locator("#bls")
    panel.get_by_label("Code on the display").fill(code)
    panel.get_by_role("button", name="Pair the display").click()
    expect(page.locator("#bls-status")).to_contain_text("Display connected.")
    expect(display.locator("#ready-text")).to_have_text(
        "Connected. Waiting for your therapist to start."
    )


def _start(page: Any, *, speed: str, passes: str, mode: str) -> None:
    panel = page.locator("#bls")
    panel.get_by_label(mode, exact=True).check()
    panel.get_by_label("Speed (passes per second)").fill(speed)
    panel.get_by_label("Passes", exact=True).fill(passes)
    panel.get_by_role("button", name="Start the set").click()


def test_it_runs_a_set_from_the_record_and_pauses_when_the_display_drops(
    asgi_page: Any, display_page: Any
) -> None:
    page, display = asgi_page, display_page
    record = _record()
    relay = Relay(display)
    sign_in(page, "theo")
    page.goto(record.get_absolute_url())
    expect(page.get_by_role("heading", name="Bilateral stimulation display")).to_be_visible()

    display.goto("/display/")
    start = display.locator("#screen-start")
    expect(start.get_by_text("wear headphones", exact=False)).to_be_visible()
    expect(start.get_by_text("nothing on this screen flashes", exact=False)).to_be_visible()
    assert_accessible(display)
    display.get_by_role("button", name="Tap to begin").click()
    expect(display.locator("#code-spoken")).to_have_text(re.compile(r"^\d \d \d \d \d \d$"))
    expect(display.locator("#code-expires")).to_have_text(re.compile(r"^[12]:\d\d$"))
    assert_accessible(display)
    screenshot(display, "bls-display-code")
    code = display.locator("#code-spoken").inner_text().replace(" ", "")

    # A wrong code is refused beside the field, keeping what was typed.
    panel = page.locator("#bls")
    wrong = "000000" if code != "000000" else "111111"
    panel.get_by_label("Code on the display").fill(wrong)
    panel.get_by_role("button", name="Pair the display").click()
    field = panel.get_by_label("Code on the display")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(panel.locator("#code_error")).to_contain_text("not valid")
    expect(field).to_have_value(wrong)

    field.fill(code)
    panel.get_by_role("button", name="Pair the display").click()
    expect(page.locator("#bls-status")).to_contain_text("Display connected.")
    expect(display.locator("#ready-text")).to_have_text(
        "Connected. Waiting for your therapist to start."
    )
    assert_accessible(page)

    # One set of 6 passes at 2.0/s, dot and tones.
    _start(page, speed="2.0", passes="6", mode="Both")
    expect(display.locator("#screen-run")).to_be_visible()
    assert display.evaluate(DOT_MOVES) > 200, "the dot does not move"
    screenshot(display, "bls-display-running")
    expect(page.locator("#bls-status")).to_contain_text("Set 1 logged.", timeout=15_000)
    expect(page.locator("#bls-passes")).to_have_text("Pass 6 of 6")
    expect(display.locator("#ready-text")).to_have_text(
        "Set finished. Waiting for your therapist."
    )
    row = page.locator('#sets tr[data-set="1"]')
    expect(row).to_contain_text("Eye movements and tones")
    expect(row).to_contain_text("2.0 Hz")
    expect(row).to_contain_text("6 passes")
    logged = DesensitisationSet.objects.get(record=record, number=1)
    assert (logged.bls_type, str(logged.speed_hz), logged.passes) == (BlsType.BOTH, "2.0", 6)
    assert logged.from_display
    assert not logged.interrupted
    assert logged.seconds == 3  # 6 passes at 2 a second

    # The report form opens for the set just run: SUD and report, saved into the log.
    report = page.locator("#bls-report")
    expect(report.get_by_role("heading", name="Report on set 1")).to_be_focused()
    report.get_by_label("SUD (if checked)").fill("4")
    report.get_by_label("The client's report", exact=False).first.fill("The bank, then calmer.")
    assert_accessible(page)
    screenshot(page.locator("#bls"), "bls-record-report-form")
    report.get_by_role("button", name="Save the report for set 1").click()
    expect(page.locator("#bls-status")).to_have_text("The client's report for set 1 is saved.")
    expect(row).to_contain_text("The bank, then calmer.")
    expect(report.locator("form")).to_have_count(0)
    logged.refresh_from_db()
    assert logged.sud == 4

    # A change while the set runs reaches the display at once; Stop ends the set at the
    # end of the pass in progress, logged with the passes done. The report redrew the
    # timeline picture: let it load first, or its request's audit entry can meet the
    # change's write, which the shared in-memory test database refuses ("table is
    # locked") where a served database waits its turn (dosing.tests.support).
    picture_settled(page)
    _start(page, speed="0.5", passes="24", mode="Eye movements (the dot)")
    expect(display.locator("#screen-run")).to_be_visible()
    panel.get_by_label("Speed (passes per second)").fill("2.0")
    panel.get_by_label("Speed (passes per second)").press("Tab")
    expect(page.locator("#bls-passes")).to_have_text(re.compile(r"Pass [2-9]\d* of 24"))
    assert any(json.loads(f) == {"type": "settings", "speed": 2.0} for f in relay.frames)
    page.get_by_role("button", name="Stop the set").click()
    expect(page.locator("#bls-status")).to_contain_text("Set 2 logged.", timeout=15_000)
    stopped = DesensitisationSet.objects.get(record=record, number=2)
    assert stopped.passes is not None
    assert 2 <= stopped.passes < 24
    assert not stopped.interrupted
    expect(display.locator("#ready-text")).to_have_text(
        "Set finished. Waiting for your therapist."
    )

    # The display's connection drops mid-set: it stops, says so; the set is interrupted.
    picture_settled(page)  # redrawn for set 2, as above
    _start(page, speed="1.0", passes="24", mode="Eye movements (the dot)")
    expect(page.locator("#bls-passes")).to_have_text(re.compile(r"Pass [1-9]\d* of 24"))
    relay.drop()
    # Said at once, over the dot that finishes its pass (then on the paused screen,
    # unless the display is back by then).
    said = display.locator("#run-status, #paused-text").filter(visible=True)
    expect(said).to_have_text("Paused: connection lost, reconnecting…")
    screenshot(display, "bls-display-paused")
    expect(page.locator("#bls-status")).to_contain_text(
        "Set 3 logged as interrupted", timeout=15_000
    )
    interrupted = page.locator('#sets tr[data-set="3"]')
    expect(interrupted).to_contain_text("nterrupted")
    cut = DesensitisationSet.objects.get(record=record, number=3)
    assert cut.interrupted
    assert cut.passes is not None
    assert 1 <= cut.passes < 24
    # It reconnects by itself, with its resume token: the pairing stands.
    expect(display.locator("#ready-text")).to_have_text(
        "Connected again. Waiting for your therapist to start.", timeout=20_000
    )
    expect(page.locator("#bls-status")).to_contain_text("Display connected.")
    screenshot(page.locator("#bls"), "bls-record-control")


def test_it_sends_the_display_nothing_of_the_record(asgi_page: Any, display_page: Any) -> None:
    """No PHI on the display: not the client's name (a distinctive one), nor the
    therapist's, nor the record's id, in its HTML at any screen or in any frame it got."""
    page, display = asgi_page, display_page
    record = _record()
    client = record.client
    relay = Relay(display)
    _pair(page, display, record)
    _start(page, speed="2.0", passes="2", mode="Both")
    expect(display.locator("#screen-run")).to_be_visible()
    html = [display.content()]
    expect(page.locator("#bls-status")).to_contain_text("Set 1 logged.", timeout=15_000)
    html.append(display.content())
    assert relay.frames, "the display received nothing"
    assert any('"type": "start"' in f or '"type":"start"' in f for f in relay.frames)
    secrets = [client.first_name, client.last_name, "Vance", client.email, client.phone]
    for text in html + relay.frames:
        for secret in secrets:
            assert secret.lower() not in text.lower(), (secret, text[:200])
        assert f"/emdr/{record.pk}/" not in text


def test_it_pairs_a_window_opened_on_the_same_computer(asgi_page: Any) -> None:
    """The new window shows its code; the record fills it in and pairs by itself."""
    page = asgi_page
    record = _record()
    sign_in(page, "theo")
    page.goto(record.get_absolute_url())
    with page.expect_popup() as opened:
        page.get_by_role("button", name="Open the display in a new window").click()
    window = opened.value
    expect(window).to_have_url(re.compile(r"/display/$"))
    window.get_by_role("button", name="Tap to begin").click()
    # The window gets its code over its socket first; only then can it pass it on.
    # (This failed twice in CI, 153fd3b and fdffffc, with "Tap to begin" still shown:
    # the tap had come before display.js wired the button. The button is now disabled
    # until then: test_it_takes_no_tap_before_the_display_can_answer_it. The 20 s stay,
    # as for a reconnection: under CI's load the first socket can be slow to answer.)
    expect(window.locator("#code-spoken")).to_have_text(
        re.compile(r"^\d \d \d \d \d \d$"), timeout=20_000
    )
    expect(page.locator("#bls-status")).to_contain_text("Display connected.")
    expect(window.locator("#ready-text")).to_have_text(
        "Connected. Waiting for your therapist to start."
    )
    # Ending the pairing (confirmed: it cannot be undone) sends the display back to a code.
    page.get_by_text("End the pairing…").click()
    page.get_by_role("button", name="End the pairing", exact=True).click()
    expect(page.locator("#bls").get_by_label("Code on the display")).to_be_visible()
    expect(window.locator("#screen-code")).to_be_visible()
    expect(window.locator("#code-spoken")).to_have_text(re.compile(r"^\d \d \d \d \d \d$"))
    window.close()


def _hold(page: Any, script: str) -> list[Any]:
    """Requests for the static script `script` (hashed name or not), held back until the
    test lets them go: a slow network, on which the page shows before its script runs."""
    held: list[Any] = []
    page.route(re.compile(rf"/bls/{script}(\.\w+)?\.js$"), lambda route: held.append(route))
    return held


def _let_go(page: Any, held: list[Any]) -> None:
    # The request may still be on its way; one that never came (the pattern no longer
    # matching the script's URL) fails here rather than hanging.
    for _ in range(500):
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the script was never requested: does the route pattern still match?"
    for route in held:
        route.continue_()


def test_it_takes_no_tap_before_the_display_can_answer_it(page: Any) -> None:
    """ "Tap to begin" is wired by a deferred script: until that has run the button is
    disabled, so a tap waits for it instead of being lost (a lost tap left the screen on
    "Tap to begin" for good; CI of fdffffc)."""

    def serve(socket: Any) -> None:
        socket.on_message(lambda text: socket.send(json.dumps({"type": "code", "code": "102938"})))

    page.route_web_socket("**/ws/bls/display/", serve)
    held = _hold(page, "display")
    page.goto("/display/", wait_until="commit")
    begin = page.get_by_role("button", name="Tap to begin")
    expect(begin).to_be_disabled()
    _let_go(page, held)
    begin.click()
    expect(page.locator("#code-spoken")).to_have_text("1 0 2 9 3 8")


def test_it_opens_no_window_before_the_record_can(asgi_page: Any) -> None:
    """ "Open the display in a new window" is wired by bls-control.js: disabled until then."""
    page = asgi_page
    record = _record()
    sign_in(page, "theo")
    held = _hold(page, "bls-control")
    page.goto(record.get_absolute_url(), wait_until="commit")
    opener = page.get_by_role("button", name="Open the display in a new window")
    expect(opener).to_be_disabled()
    _let_go(page, held)
    expect(opener).to_be_enabled()


def test_it_asks_for_a_new_code_when_its_code_expires(page: Any) -> None:
    """An unpaired code runs out: the display counts it down and asks for another
    (the test plays the server through page.route_web_socket)."""
    hellos: list[Any] = []

    def serve(socket: Any) -> None:
        def answer(text: str | bytes) -> None:
            if json.loads(text)["type"] == "hello":
                hellos.append(text)
                code = "135790" if len(hellos) == 1 else "246802"
                socket.send(json.dumps({"type": "code", "code": code, "expires_in": 5}))

        socket.on_message(answer)

    page.route_web_socket("**/ws/bls/display/", serve)
    page.goto("/display/")
    page.get_by_role("button", name="Tap to begin").click()
    expect(page.locator("#code-spoken")).to_have_text("1 3 5 7 9 0")
    expect(page.locator("#code-expires")).to_have_text(re.compile(r"^0:0[0-5]$"))
    expect(page.locator("#code-spoken")).to_have_text("2 4 6 8 0 2", timeout=10_000)
    assert len(hellos) == 2


def test_it_tells_the_therapist_when_the_display_asks_for_reduced_motion(
    asgi_page: Any, asgi_live_server: Any
) -> None:
    """A device set to reduce motion says so on the display, and the record is told;
    the set still runs when started (the therapist decides, with the client)."""
    page = asgi_page
    record = _record()
    context = page.context.browser.new_context(
        base_url=asgi_live_server.url, reduced_motion="reduce"
    )
    display = context.new_page()
    try:
        display.goto("/display/")
        expect(display.locator("#reduced-motion-note")).to_be_visible()
        _pair(page, display, record)
        expect(page.locator("#bls-motion-note")).to_be_visible()
        _start(page, speed="2.0", passes="2", mode="Eye movements (the dot)")
        expect(display.locator("#screen-run")).to_be_visible()
        expect(page.locator("#bls-status")).to_contain_text("Set 1 logged.", timeout=15_000)
    finally:
        context.close()
        asgi_live_server.wait_idle()


def test_it_reads_well_on_a_phone(phone_page: Any) -> None:
    """A client at home may use a phone: the start and code screens fit 390 px and pass
    axe (the test plays the server through page.route_web_socket)."""
    page = phone_page

    def serve(socket: Any) -> None:
        socket.on_message(
            lambda text: (
                socket.send(json.dumps({"type": "code", "code": "908172", "expires_in": 120}))
                if json.loads(text)["type"] == "hello"
                else None
            )
        )

    page.route_web_socket("**/ws/bls/display/", serve)
    page.goto("/display/")
    assert_accessible(page)
    screenshot(page, "bls-display-start-phone")
    page.get_by_role("button", name="Tap to begin").click()
    expect(page.locator("#code-spoken")).to_have_text("9 0 8 1 7 2")
    code = page.locator("#code-digits").bounding_box()
    assert code is not None
    assert code["x"] >= 0
    assert code["x"] + code["width"] <= 390
    assert_accessible(page)
    screenshot(page, "bls-display-code-phone")
