/* The BLS display's control panel on the EMDR record (templates/bls/_control.html;
 * issue 12 §2; the protocol is bls-protocol.md, "Control").
 *
 * Before pairing: the pair form posts with htmx (the server answers the panel again,
 * with the error beside the code or paired). "Open the display in a new window" opens
 * /display/ on this computer; when that window shows its code it posts it on the
 * BroadcastChannel "pathways-bls", and this page, which is waiting for it, fills the
 * code in and submits the form: from then on the window is a display like any other.
 *
 * Once paired: one WebSocket to /ws/bls/control/<pairing>/ (the session cookie is the
 * key; the server checks the therapist at connect and at every command), reconnected
 * with backoff. Start sends the settings; a change while a set runs is sent at once;
 * Stop ends the set at the end of the pass in progress. When the server says the set
 * is logged, the set log is refreshed and the report form for that set opens here.
 * The status line (role=status) says when the display connects or is lost and when a
 * set starts, ends or is logged; the pass count beside it is not announced (it changes
 * up to twice a second).
 * Loaded as a file: the CSP allows no inline script.
 */
(function () {
  "use strict";

  var CHANNEL = "pathways-bls";
  var WAIT_FOR_CODE_MS = 5 * 60 * 1000; // how long an opened window may take to show its code
  var BACKOFF_S = [0.5, 1, 2, 4, 8, 15];
  var FORBIDDEN = 4403;

  var socket = null;
  var socketPairing = null;
  var attempts = 0;
  var reconnectTimer = null;
  var openedAt = 0; // when this page opened a display window (0: none waiting)
  var channel = null;
  var reportNumber = ""; // the set whose report form was last sent
  var state = { display: "unknown", running: false, passes: 0, total: null, seconds: null };

  function $(id) { return document.getElementById(id); }

  function panel() { return $("bls-control"); }

  // --- Same device: the opened window's code -----------------------------------

  function openDisplay(event) {
    var url = event.currentTarget.dataset.displayUrl;
    openedAt = Date.now();
    listenForCode();
    var opened = window.open(url, "pathways-bls-display", "popup,width=1200,height=800");
    if (!opened) {
      openedAt = 0;
      say("The browser blocked the new window: allow pop-ups for this site, or open " + url + " yourself.");
    }
  }

  function listenForCode() {
    if (channel || !window.BroadcastChannel) { return; }
    channel = new BroadcastChannel(CHANNEL);
    channel.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.type !== "code" || !/^\d{6}$/.test(String(data.code))) { return; }
      if (!openedAt || Date.now() - openedAt > WAIT_FOR_CODE_MS) { return; }
      var form = $("bls-pair-form");
      var input = form && form.querySelector("input[name=code]");
      if (!input) { return; }
      openedAt = 0;
      input.value = String(data.code);
      form.requestSubmit();
    });
  }

  // --- The control socket ------------------------------------------------------

  function say(text) {
    var status = $("bls-status");
    if (status) { status.textContent = text; }
  }

  function describe() {
    var parts = [];
    if (state.display === "connected") { parts.push("Display connected."); }
    if (state.display === "lost") { parts.push("Display not connected: a set stops at the end of its pass; the display reconnects by itself while its page is open."); }
    if (state.running) { parts.push("Set running."); }
    return parts.join(" ");
  }

  function showPasses() {
    var counter = $("bls-passes");
    if (!counter) { return; }
    if (!state.running && state.passes === 0) { counter.textContent = ""; return; }
    counter.textContent = state.total !== null
      ? "Pass " + state.passes + " of " + state.total
      : state.passes + (state.passes === 1 ? " pass" : " passes") + (state.seconds ? " (set of " + state.seconds + " s)" : "");
  }

  function setRunning(running) {
    state.running = running;
    var start = $("bls-start");
    var stop = $("bls-stop");
    if (start) { start.disabled = running; }
    if (stop) { stop.disabled = !running; }
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
      return true;
    }
    say("Not connected to the display's server yet: try again in a moment.");
    return false;
  }

  function connect(root) {
    reconnectTimer = null;
    var pairing = root.dataset.pairing;
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    var ws = new WebSocket(scheme + "//" + window.location.host + root.dataset.socket);
    socket = ws;
    socketPairing = pairing;
    ws.addEventListener("open", function () { attempts = 0; });
    ws.addEventListener("message", function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message && typeof message.type === "string") { receive(message); }
    });
    ws.addEventListener("close", function (event) {
      if (socket !== ws) { return; }
      socket = null;
      if (event.code === FORBIDDEN) {
        setRunning(false);
        say("This display cannot be run from here any more (the pairing ended, or you are not this session's therapist). Reload the page to pair again.");
        return;
      }
      say("Connection to the display's server lost: reconnecting…");
      var delay = BACKOFF_S[Math.min(attempts, BACKOFF_S.length - 1)] * (1 + Math.random() * 0.3);
      attempts += 1;
      reconnectTimer = window.setTimeout(function () {
        var current = panel();
        if (current && current.dataset.pairing === pairing) { connect(current); }
      }, delay * 1000);
    });
  }

  function disconnect() {
    if (reconnectTimer !== null) { window.clearTimeout(reconnectTimer); reconnectTimer = null; }
    if (socket) {
      var old = socket;
      socket = null;
      old.close(1000);
    }
    socketPairing = null;
  }

  function receive(message) {
    switch (message.type) {
      case "display":
        if (message.state === "ended") {
          setRunning(false);
          say("The pairing has ended: the display shows a new code.");
          break;
        }
        state.display = message.state === "lost" ? "lost" : "connected";
        if (state.display === "lost") { setRunning(false); }
        if ("reduced_motion" in message && $("bls-motion-note")) {
          $("bls-motion-note").hidden = !message.reduced_motion;
        }
        say(describe() || "Waiting for the display.");
        break;
      case "running":
        setRunning(true);
        state.passes = Number(message.passes) || 0;
        showPasses();
        say(describe());
        break;
      case "progress":
        state.passes = Number(message.passes) || 0;
        showPasses();
        break;
      case "logged":
        setRunning(false);
        say("Set " + message.number + " logged" + (message.interrupted ? " as interrupted" : "") + ". Add the client's report below.");
        afterLogged(message);
        break;
      case "error":
        say(String(message.message || "The display refused that."));
        break;
      default:
        break;
    }
  }

  // The set log, then the report form for the set (one request at a time).
  function afterLogged(message) {
    var root = panel();
    if (!root || !window.htmx) { return; }
    var refresh = window.htmx.ajax("GET", root.dataset.recordUrl, { target: "#sets", select: "#sets", swap: "outerHTML" });
    Promise.resolve(refresh).then(function () {
      if (typeof message.report_url !== "string" || message.report_url.charAt(0) !== "/") { return undefined; }
      return window.htmx.ajax("GET", message.report_url, { target: "#bls-report", swap: "innerHTML" });
    }).then(function () {
      var heading = document.querySelector("#bls-report h3");
      if (heading) { heading.focus(); }
    });
  }

  // --- The settings form -------------------------------------------------------

  function checked(form, name) {
    var input = form.querySelector("input[name=" + name + "]:checked");
    return input ? input.value : null;
  }

  function numberIn(input, low, high, label) {
    var value = Number(input.value);
    if (input.value === "" || !isFinite(value) || value < low || value > high) {
      throw new Error(label + " must be between " + low + " and " + high + ".");
    }
    return value;
  }

  function settings(form) {
    var length = checked(form, "length");
    var message = {
      mode: checked(form, "mode"),
      direction: checked(form, "direction"),
      speed: Math.round(numberIn(form.elements.speed, 0.5, 2.0, "Speed") * 10) / 10,
      passes: null,
      seconds: null,
      colour: form.elements.colour.value.toLowerCase(),
      size: Math.round(numberIn(form.elements.size, 16, 160, "Dot size")),
      background: form.elements.background.value.toLowerCase()
    };
    if (length === "seconds") {
      message.seconds = Math.round(numberIn(form.elements.seconds, 1, 600, "Seconds"));
    } else {
      message.passes = Math.round(numberIn(form.elements.passes, 1, 200, "Passes"));
    }
    return message;
  }

  function showError(form, text) {
    var error = $("bls-settings-error");
    error.textContent = text || "";
    error.hidden = !text;
  }

  function start(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var message;
    try { message = settings(form); } catch (e) { showError(form, e.message); return; }
    showError(form, "");
    message.type = "start";
    state.total = message.passes;
    state.seconds = message.seconds;
    state.passes = 0;
    $("bls-passes").textContent = ""; // not the last set's count while this one starts
    send(message);
  }

  // A change while a set runs goes to the display at once (speed, direction, mode, look).
  function changed(event) {
    if (!state.running) { return; }
    var form = event.currentTarget;
    var message;
    try { message = settings(form); } catch (e) { showError(form, e.message); return; }
    showError(form, "");
    var name = event.target.name;
    var update = { type: "settings" };
    if (name === "length" || name === "passes" || name === "seconds") {
      return; // the length of a running set stays as started
    }
    update[name] = message[name];
    send(update);
  }

  // --- Wiring (again after each htmx swap of the panel) ------------------------

  function wire() {
    var root = panel();
    if (!root) { disconnect(); return; }
    if (root.dataset.wired === "yes") { return; }
    root.dataset.wired = "yes";
    var opener = $("bls-open-display");
    if (opener) {
      opener.addEventListener("click", openDisplay);
      opener.disabled = false; // rendered disabled: a click before this line opened nothing
    }
    if (openedAt) { listenForCode(); }
    if (root.dataset.pairing) {
      if (socketPairing !== root.dataset.pairing) {
        disconnect();
        state = { display: "unknown", running: false, passes: 0, total: null, seconds: null };
        connect(root);
      }
      var form = $("bls-settings");
      form.addEventListener("submit", start);
      form.addEventListener("change", changed);
      $("bls-stop").addEventListener("click", function () { send({ type: "stop" }); });
    } else {
      disconnect();
    }
  }

  function settled(event) {
    wire();
    // The report form posted and came back without itself: saved (a refused one comes back).
    var detail = event.detail || {};
    var target = detail.target;
    if (target && target.id === "bls-report" && detail.requestConfig && detail.requestConfig.verb === "post"
        && !target.querySelector(".set-report")) {
      say("The client's report for set " + reportNumber + " is saved.");
    }
  }

  function init() {
    wire();
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      var elt = event.detail && event.detail.elt;
      if (elt && elt.matches && elt.matches("form.set-report")) { reportNumber = elt.dataset.set || ""; }
    });
    document.body.addEventListener("htmx:afterSettle", settled);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
