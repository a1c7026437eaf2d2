/* The BLS display (templates/bls/display.html; issue 12 §1, the contract is
 * bls-protocol.md): a dot that sweeps side to side and/or a tone at each end of a
 * sweep, alternating left and right, run by the therapist from the EMDR record over a
 * WebSocket. The page never receives or shows PHI: codes, settings and pass counts only.
 *
 * The set itself (the dot's motion from elapsed time, the tones on the audio clock,
 * one clock for both) is bls-set.js, loaded first; its header says how it keeps time.
 *
 * Safety: nothing blinks or flashes (the dot moves; screens change only on a message);
 * the set starts only after the person tapped (which unlocks audio and full screen);
 * a set always stops by itself (its passes, or its seconds then the pass in progress).
 *
 * Tactile: not built (DEVELOPERS.md, "The BLS display").
 */
(function () {
  "use strict";

  var SPEED_MIN = 0.5;
  var SPEED_MAX = 2.0;
  var BACKOFF_S = [0.5, 1, 2, 4, 8, 15];
  var TOKEN_KEY = "pathways-bls-resume";
  var CHANNEL = "pathways-bls";
  var COLOUR = /^#[0-9a-fA-F]{6}$/;

  var body = document.body;
  var $ = function (id) { return document.getElementById(id); };
  var screens = ["start", "code", "ready", "paused", "run"];
  var dot, counter, listen, stage;

  var audio = null; // AudioContext, made on the tap
  var socket = null;
  var attempts = 0; // reconnections since the last open socket
  var reconnectTimer = null;
  var codeTimer = null;
  var codeDeadline = 0;
  var paired = false;
  var pausedFor = null; // "control" or "lost" while the paused screen shows
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // What the set looks and sounds like: from the start message, changed by settings.
  var look = { mode: "eyes", direction: "horizontal", colour: "#1f6feb", size: 48, background: "#000000" };
  var engine = null; // the set runner (bls-set.js); engine.run is the set in progress

  // --- Screens -----------------------------------------------------------------

  function show(name, announcement) {
    if (name !== "paused") { pausedFor = null; }
    screens.forEach(function (s) { $("screen-" + s).hidden = s !== name; });
    var heading = $(name + "-title");
    if (heading && name !== "run") {
      heading.focus({ preventScroll: true });
    }
    if (announcement) {
      announce(announcement);
    }
  }

  function announce(text) {
    var region = $("announce");
    region.textContent = "";
    // A new text in a cleared region is announced even when it repeats the last one.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function spaced(code) { return code.split("").join(" "); }

  // --- The tap: audio, full screen, then the connection ------------------------

  function enterFullscreen() {
    var root = document.documentElement;
    var request = root.requestFullscreen || root.webkitRequestFullscreen;
    if (!request || document.fullscreenElement || document.webkitFullscreenElement) {
      return;
    }
    try {
      var done = request.call(root, { navigationUI: "hide" });
      if (done && done.catch) { done.catch(function () {}); } // refused: the page still fills the window
    } catch (e) { /* an iPhone has no full screen for a page: the layout fills the window */ }
  }

  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return;
    }
    try {
      audio = new Context({ latencyHint: "interactive" });
    } catch (e) {
      audio = null;
      return;
    }
    if (audio.resume) { audio.resume().catch(function () {}); }
    // A silent buffer played inside the tap unlocks output on older Safari.
    var buffer = audio.createBuffer(1, 1, audio.sampleRate);
    var source = audio.createBufferSource();
    source.buffer = buffer;
    source.connect(audio.destination);
    source.start(0);
  }

  // A screen that dims and locks in the middle of a set stops the stimulation: keep it
  // awake while the page is shown (the Screen Wake Lock API; the display's own
  // Permissions-Policy allows it, bls/display_views.py). The browser releases the
  // lock when the page is hidden, so it is asked for again when the page comes back.
  var wakeLock = null;

  function keepAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") {
      return;
    }
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock;
    }).catch(function () { /* refused (battery saver): the device's own setting applies */ });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && wakeLock !== null) { keepAwake(); }
  });

  function begin() {
    unlockAudio();
    enterFullscreen();
    keepAwake();
    show("code");
    $("code-status").textContent = "Connecting…";
    connect();
  }

  // --- The connection (bls-protocol.md, "Display") ------------------------------

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + body.dataset.socket;
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
    }
  }

  function storedToken() {
    try { return window.sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  function storeToken(token) {
    try {
      if (token) { window.sessionStorage.setItem(TOKEN_KEY, token); } else { window.sessionStorage.removeItem(TOKEN_KEY); }
    } catch (e) { /* private mode: the token lives as long as the page */ }
    memoryToken = token;
  }
  var memoryToken = null;

  function hello() {
    // reduced_motion: the display tells the therapist (through the server) that this
    // device asks for less motion; the set still runs as the therapist starts it.
    send({ type: "hello", reduced_motion: reducedMotion });
  }

  function connect() {
    reconnectTimer = null;
    var ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.addEventListener("open", function () {
      attempts = 0;
      var token = storedToken() || memoryToken;
      if (token) {
        send({ type: "resume", token: token, reduced_motion: reducedMotion });
      } else {
        hello();
      }
    });
    ws.addEventListener("message", function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message && typeof message.type === "string") { receive(message); }
    });
    ws.addEventListener("close", function () {
      if (socket !== ws) { return; }
      socket = null;
      lost();
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (reconnectTimer !== null) { return; }
    var base = BACKOFF_S[Math.min(attempts, BACKOFF_S.length - 1)];
    attempts += 1;
    // Jitter, so that screens dropped together do not all come back at once.
    var delay = base * (1 + Math.random() * 0.3);
    reconnectTimer = window.setTimeout(connect, delay * 1000);
  }

  // The display's own connection dropped: the set finishes its pass and stops; the
  // server logs it as interrupted from the last progress it had (bls-protocol.md).
  function lost() {
    stopCodeTimer();
    if (engine.run) {
      endRun("lost");
    } else if (paired) {
      show("paused", "Paused: connection lost, reconnecting…");
      $("paused-text").textContent = "Paused: connection lost, reconnecting…";
    } else {
      show("code");
      $("code-digits").textContent = "······";
      $("code-spoken").textContent = "";
      $("code-status").textContent = "Connecting…";
    }
  }

  function receive(message) {
    switch (message.type) {
      case "code": return showCode(message);
      case "paired": return onPaired(message);
      case "resumed":
        // A set still finishing its pass after the drop says so when it stops.
        if (engine.run) { engine.run.resumed = true; return undefined; }
        return ready("Connected again. Waiting for your therapist to start.");
      case "start": return startRun(message);
      case "settings": return applySettings(message);
      case "stop": return endRun("stopped");
      case "pause": return endRun("paused");
      case "resume_control":
        // Sent whenever the therapist's page connects: news only after a pause.
        if (!engine.run && pausedFor === "control") { ready("Your therapist is connected again. Waiting for them to start."); }
        return undefined;
      case "ended": return onEnded();
      default: return undefined;
    }
  }

  function showCode(message) {
    var code = String(message.code || "");
    if (!/^\d{6}$/.test(code)) { return; }
    paired = false;
    storeToken(null);
    abandon(false); // a new code: the pairing is gone
    $("code-digits").textContent = code.slice(0, 3) + "\u2009" + code.slice(3);
    $("code-spoken").textContent = spaced(code);
    $("code-status").textContent = "";
    var seconds = Math.max(5, Math.min(600, Number(message.expires_in) || 120));
    codeDeadline = performance.now() + seconds * 1000;
    startCodeTimer();
    show("code", "Your code is " + spaced(code) + ". Read it to your therapist.");
    // Same device: the record that opened this window fills the code in for the
    // therapist (bls-control.js). Only a window opened by a page has an opener.
    if (window.opener && window.BroadcastChannel) {
      var channel = new BroadcastChannel(CHANNEL);
      channel.postMessage({ type: "code", code: code });
      channel.close();
    }
  }

  function startCodeTimer() {
    stopCodeTimer();
    tickCode();
    codeTimer = window.setInterval(tickCode, 250);
  }

  function stopCodeTimer() {
    if (codeTimer !== null) { window.clearInterval(codeTimer); codeTimer = null; }
  }

  function tickCode() {
    var left = Math.max(0, Math.ceil((codeDeadline - performance.now()) / 1000));
    $("code-expires").textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left === 0) {
      // Expired unpaired: ask for a fresh one (bls-protocol.md).
      stopCodeTimer();
      $("code-status").textContent = "Getting a new code…";
      hello();
    }
  }

  function onPaired(message) {
    stopCodeTimer();
    paired = true;
    storeToken(typeof message.resume === "string" ? message.resume : null);
    ready("Connected. Waiting for your therapist to start.");
  }

  function onEnded() {
    abandon(false);
    paired = false;
    storeToken(null);
    show("code");
    $("code-status").textContent = "Getting a new code…";
    hello();
  }

  function ready(text) {
    stopCodeTimer();
    paired = true;
    $("ready-text").textContent = text;
    show("ready", text);
  }

  // --- Settings ----------------------------------------------------------------

  function number(value, low, high) {
    var n = Number(value);
    if (value === null || value === undefined || value === "" || !isFinite(n)) { return null; }
    return Math.min(high, Math.max(low, n));
  }

  function applyLook(message) {
    if (message.mode === "eyes" || message.mode === "auditory" || message.mode === "both") { look.mode = message.mode; }
    if (message.direction === "horizontal" || message.direction === "diagonal") { look.direction = message.direction; }
    if (COLOUR.test(message.colour || "")) { look.colour = message.colour; }
    if (COLOUR.test(message.background || "")) { look.background = message.background; }
    var size = number(message.size, 16, 160);
    if (size !== null) { look.size = size; }
    paint();
  }

  function isLight(hex) {
    var r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 140;
  }

  // The CSSOM (element.style), which the CSP allows; never a style attribute in markup.
  function paint() {
    stage.style.backgroundColor = look.background;
    dot.style.backgroundColor = look.colour;
    dot.style.width = look.size + "px";
    dot.style.height = look.size + "px";
    dot.hidden = look.mode === "auditory";
    listen.hidden = look.mode !== "auditory";
    var light = isLight(look.background);
    counter.classList.toggle("on-light", light);
    $("run-status").classList.toggle("on-light", light);
    listen.classList.toggle("on-light", light);
  }

  // --- A set (its timing is bls-set.js) ----------------------------------------

  function values(message) {
    return {
      speed: number(message.speed, SPEED_MIN, SPEED_MAX),
      passes: message.passes === null ? null : roundOrNull(number(message.passes, 1, 200)),
      seconds: number(message.seconds, 1, 600)
    };
  }

  function roundOrNull(n) { return n === null ? null : Math.round(n); }

  function startRun(message) {
    if (!paired) { return; }
    abandon(true);
    applyLook(message);
    var asked = values(message);
    if (asked.passes === null && asked.seconds === null) { asked.passes = 24; }
    if (asked.passes !== null) { asked.seconds = null; }
    asked.speed = asked.speed || 1.0;
    var set = engine.start(asked);
    $("run-status").hidden = true;
    show("run", "The set has started.");
    updateCounter(0, set);
  }

  function applySettings(message) {
    applyLook(message);
    engine.change(values(message));
  }

  // Stop at the end of the pass in progress: stop, pause (the therapist's page
  // dropped), lost (this page's connection dropped). Said at once; the dot finishes.
  function endRun(reason) {
    if (!engine.run) { return; }
    var early = { lost: "Paused: connection lost, reconnecting…", paused: "Paused: waiting for your therapist's connection.", stopped: "" };
    if (early[reason]) {
      $("run-status").textContent = early[reason];
      $("run-status").hidden = false;
      announce(early[reason]);
    }
    engine.end(reason);
  }

  function progressed(whole, set) {
    send({ type: "progress", passes: whole });
    updateCounter(whole, set);
  }

  function finished(set, done, ms) {
    var reason = set.reason;
    updateCounter(done, set);
    if (reason === "lost") {
      // Nobody to tell: the server logs the set from its last progress.
      if (set.resumed) {
        ready("Connected again. Waiting for your therapist to start.");
      } else {
        $("paused-text").textContent = "Paused: connection lost, reconnecting…";
        show("paused", "Paused: connection lost, reconnecting…");
      }
      return;
    }
    if (done > set.reported) { send({ type: "progress", passes: done }); }
    send({ type: "finished", passes: done, ms: ms, reason: reason });
    if (reason === "paused") {
      $("paused-text").textContent = "Paused: waiting for your therapist's connection.";
      show("paused", "Paused: waiting for your therapist's connection.");
      pausedFor = "control";
    } else {
      ready("Set finished. Waiting for your therapist.");
    }
  }

  // Drop the set at once (a new start, a new code, the pairing ended): `report` says
  // whether the server still listens for how it ended.
  function abandon(report) {
    var dropped = engine.abandon();
    if (dropped && report) {
      send({ type: "finished", passes: dropped.passes, ms: dropped.ms, reason: "stopped" });
    }
  }

  function updateCounter(done, set) {
    counter.textContent = set.passes !== null ? done + " of " + set.passes + " passes" : done + (done === 1 ? " pass" : " passes");
  }

  // --- Start-up ----------------------------------------------------------------

  function init() {
    dot = $("bls-dot");
    counter = $("pass-counter");
    listen = $("run-listen");
    stage = $("screen-run");
    engine = new window.PathwaysBlsSet({
      audio: function () { return audio; },
      look: look,
      dot: dot,
      stage: stage,
      onProgress: progressed,
      onFinish: finished
    });
    paint();
    if (reducedMotion) { $("reduced-motion-note").hidden = false; }
    if (!window.WebSocket) {
      $("unsupported").hidden = false;
      $("begin").disabled = true;
      return;
    }
    $("begin").addEventListener("click", begin);
    $("begin").disabled = false; // rendered disabled: a tap before this line was lost
    document.querySelectorAll("[data-fullscreen]").forEach(function (button) {
      button.addEventListener("click", enterFullscreen);
    });
    show("start");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
