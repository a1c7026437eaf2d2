/* The BLS display (templates/bls/display.html; issue 12 §1, the contract is
 * bls-protocol.md): a dot that sweeps side to side and/or a tone at each end of a
 * sweep, alternating left and right, run by the therapist from the EMDR record over a
 * WebSocket. The page never receives or shows PHI: codes, settings and pass counts only.
 *
 * Timing. A set's position is a function of time, never a sum of frame steps:
 *   passes(t) = phase0 + (t - t0) * speed      (one pass = one sweep, side to side)
 *   position  = triangle wave of passes(t): 0 at the left, 1 at the right
 * so a dropped or late frame only skips a drawing, never changes the speed. A speed
 * change mid-set re-anchors (phase0 = passes(now), t0 = now): the dot carries on
 * from where it is, in the same direction (the phase is continuous).
 *
 * One clock for sound and sight. The tones are scheduled ahead on the AudioContext
 * clock (a look-ahead scheduler: every 25 ms, each tone due in the next 120 ms is
 * started at its exact context time), because a timer or a frame callback in the
 * page is late by milliseconds at random and the audio clock is not. While the audio
 * context runs, the motion is computed on that same clock: each frame reads the
 * context time now leaving the speakers through getOutputTimestamp() (contextTime at
 * performanceTime, carried forward to the frame's performance.now()), so the dot
 * reaches a side when its tone is heard, output latency included; a tone scheduled at
 * context time T is heard when the output reaches T. Without audio (or before the tap
 * unlocked it, or if the context stops) the motion runs on performance.now(), and a
 * change of clock mid-set re-anchors as a speed change does.
 *
 * Safety: nothing blinks or flashes (the dot moves; screens change only on a message);
 * the set starts only after the person tapped (which unlocks audio and full screen);
 * a set always stops by itself (its passes, or its seconds then the pass in progress).
 *
 * Tactile (later, DEVELOPERS.md): navigator.vibrate(ms) on a phone in each hand, each
 * paired as its own display for one side, buzzing where a tone of its side is scheduled
 * here (onPassEnd below is the place); iOS Safari has no Vibration API.
 */
(function () {
  "use strict";

  var SPEED_MIN = 0.5;
  var SPEED_MAX = 2.0;
  var LOOKAHEAD_S = 0.12; // how far ahead tones are put on the audio clock
  var SCHEDULER_MS = 25; // how often the scheduler looks (a timer: it runs when frames don't)
  var LEAD_IN_S = 0.15; // the first pass starts this long after the start message
  var TONE_S = 0.06;
  var TONE_HZ = 660;
  var TONE_GAIN = 0.25;
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
  var run = null; // the set in progress, or null
  var frame = 0;
  var scheduler = null;

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

  function begin() {
    unlockAudio();
    enterFullscreen();
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
    if (run) {
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
        if (run) { run.resumed = true; return undefined; }
        return ready("Connected again. Waiting for your therapist to start.");
      case "start": return startRun(message);
      case "settings": return applySettings(message);
      case "stop": return endRun("stopped");
      case "pause": return endRun("paused");
      case "resume_control":
        // Sent whenever the therapist's page connects: news only after a pause.
        if (!run && pausedFor === "control") { ready("Your therapist is connected again. Waiting for them to start."); }
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

  // --- The clock ---------------------------------------------------------------

  function audioRunning() { return audio !== null && audio.state === "running"; }

  // Seconds on the set's clock: the audio output's context time when audio runs,
  // else the page's performance clock (see the header).
  function clockNow(source) {
    if (source === "audio") {
      var stamp = audio.getOutputTimestamp ? audio.getOutputTimestamp() : null;
      if (stamp && stamp.performanceTime > 0) {
        return stamp.contextTime + (performance.now() - stamp.performanceTime) / 1000;
      }
      return audio.currentTime - (audio.outputLatency || audio.baseLatency || 0);
    }
    return performance.now() / 1000;
  }

  function passesAt(set, t) { return Math.max(0, set.phase0 + (t - set.t0) * set.speed); }

  // Re-anchor the set at the current phase (speed or clock change): continuous.
  function reanchor(set, source, speed) {
    var t = clockNow(set.source);
    var phase = passesAt(set, t);
    if (source !== set.source) {
      // The seconds run so far are kept; the set's clock starts again on the new source.
      set.elapsedBefore = elapsed(set, t);
      set.started = clockNow(source);
    }
    set.source = source;
    set.t0 = clockNow(source);
    set.phase0 = phase;
    set.speed = speed;
    cancelTones(set);
  }

  // --- A set -------------------------------------------------------------------

  function startRun(message) {
    if (!paired) { return; }
    abandon(true);
    applyLook(message);
    var speed = number(message.speed, SPEED_MIN, SPEED_MAX) || 1.0;
    var passes = number(message.passes, 1, 200);
    var seconds = number(message.seconds, 1, 600);
    if (passes === null && seconds === null) { passes = 24; }
    var source = audioRunning() ? "audio" : "perf";
    var t0 = clockNow(source) + LEAD_IN_S;
    run = {
      source: source,
      t0: t0,
      phase0: 0,
      speed: speed,
      passes: passes !== null ? Math.round(passes) : null,
      seconds: seconds,
      started: t0, // on the set's clock; for "ms" and the seconds limit
      elapsedBefore: 0, // seconds run on a clock the set left (a clock change)
      endAt: passes !== null ? Math.round(passes) : null, // the pass the set ends on
      reason: "done",
      reported: 0,
      nextTone: 1,
      voices: []
    };
    $("run-status").hidden = true;
    show("run", "The set has started.");
    updateCounter(0);
    startLoops();
  }

  function applySettings(message) {
    applyLook(message);
    if (!run) { return; }
    var speed = number(message.speed, SPEED_MIN, SPEED_MAX);
    if (speed !== null && speed !== run.speed) {
      reanchor(run, run.source, speed);
    }
    if (run.reason === "done") {
      var passes = number(message.passes, 1, 200);
      if (passes !== null) {
        run.passes = Math.round(passes);
        run.seconds = null;
        run.endAt = Math.max(run.passes, Math.ceil(passesAt(run, clockNow(run.source))));
      }
      var seconds = number(message.seconds, 1, 600);
      if (seconds !== null) {
        run.seconds = seconds;
        run.passes = null;
        run.endAt = null;
      }
    }
    if (look.mode === "eyes") { cancelTones(run); }
  }

  function elapsed(set, t) { return set.elapsedBefore + Math.max(0, t - set.started); }

  // Stop at the end of the pass in progress (never mid-sweep): stop, pause, lost.
  function endRun(reason) {
    if (!run) { return; }
    var current = passesAt(run, clockNow(run.source));
    var end = Math.ceil(current - 1e-9);
    if (run.endAt === null || end < run.endAt) {
      run.endAt = end;
      cancelTones(run, end);
    }
    run.reason = reason;
    var early = { lost: "Paused: connection lost, reconnecting…", paused: "Paused: waiting for your therapist's connection.", stopped: "" };
    if (early[reason]) {
      $("run-status").textContent = early[reason];
      $("run-status").hidden = false;
      announce(early[reason]);
    }
    check(run);
  }

  function finish(set, reason) {
    var endTime = set.t0 + (set.endAt - set.phase0) / set.speed;
    var ms = Math.round(Math.max(0, elapsed(set, endTime)) * 1000);
    var done = set.endAt;
    cancelTones(set, done);
    run = null;
    stopLoops();
    updateCounter(done, set);
    if (reason === "lost" || reason === "ended") {
      // Nobody to tell: the server logs the set from its last progress.
      if (reason === "lost" && set.resumed) {
        ready("Connected again. Waiting for your therapist to start.");
      } else if (reason === "lost") {
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
    if (!run) { return; }
    var set = run;
    var t = clockNow(set.source);
    var done = Math.floor(passesAt(set, t));
    cancelTones(set, -1);
    run = null;
    stopLoops();
    if (report) {
      send({ type: "finished", passes: done, ms: Math.round(elapsed(set, t) * 1000), reason: "stopped" });
    }
  }

  // What a set does at time t (frames and the scheduler both call it, so that a
  // hidden window, which gets no frames, still counts, reports and stops).
  function check(set) {
    if (set.source === "audio" && !audioRunning()) {
      reanchor(set, "perf", set.speed); // the audio stopped: carry on, silently
    }
    var t = clockNow(set.source);
    if (set.endAt === null && set.seconds !== null && elapsed(set, t) >= set.seconds) {
      // The pass in progress at the limit (computed at the limit's moment, not at this
      // tick's, so that 3 s at 1 pass/s is 3 passes), finished.
      var limit = set.started + set.seconds - set.elapsedBefore;
      set.endAt = Math.max(1, Math.ceil(passesAt(set, limit) - 1e-6));
    }
    var current = passesAt(set, t);
    var whole = Math.floor(set.endAt !== null ? Math.min(current, set.endAt) : current);
    if (whole > set.reported) {
      set.reported = whole;
      send({ type: "progress", passes: whole });
      updateCounter(whole, set);
    }
    if (set.endAt !== null && current >= set.endAt) {
      finish(set, set.reason);
      return false;
    }
    return true;
  }

  function updateCounter(done, set) {
    var s = set || run;
    if (!s) { return; }
    counter.textContent = s.passes !== null ? done + " of " + s.passes + " passes" : done + (done === 1 ? " pass" : " passes");
  }

  // --- Drawing -----------------------------------------------------------------

  function draw() {
    frame = 0;
    if (!run) { return; }
    if (!check(run)) { return; }
    var p = passesAt(run, clockNow(run.source));
    if (run.endAt !== null) { p = Math.min(p, run.endAt); }
    var phase = p % 2;
    var across = phase <= 1 ? phase : 2 - phase; // the triangle wave: 0 left, 1 right
    var width = stage.clientWidth;
    var height = stage.clientHeight;
    var size = look.size;
    var pad = Math.max(8, Math.round(width * 0.04));
    var x = pad + across * Math.max(0, width - 2 * pad - size);
    var y = (height - size) / 2;
    if (look.direction === "diagonal") {
      var padY = Math.max(8, Math.round(height * 0.06));
      y = padY + across * Math.max(0, height - 2 * padY - size);
    }
    dot.style.transform = "translate(" + x.toFixed(2) + "px, " + y.toFixed(2) + "px)";
    frame = window.requestAnimationFrame(draw);
  }

  // --- Tones: the look-ahead scheduler ------------------------------------------

  // The tone at the end of pass k: the dot arrives right after an odd pass (it starts
  // at the left), left after an even one.
  function toneAt(set, k) { return set.t0 + (k - set.phase0) / set.speed; }

  function schedule() {
    if (!run) { return; }
    if (!check(run)) { return; }
    var set = run;
    if (set.source !== "audio" || look.mode === "eyes") { return; }
    var now = audio.currentTime;
    var horizon = now + LOOKAHEAD_S;
    var first = Math.max(set.nextTone, Math.floor(set.phase0) + 1);
    for (var k = first; ; k += 1) {
      if (set.endAt !== null && k > set.endAt) { break; }
      var at = toneAt(set, k);
      if (at > horizon) { break; }
      set.nextTone = k + 1;
      if (at < now) { continue; } // too late to be in step: skip it, never play it late
      onPassEnd(set, k, at);
    }
  }

  function onPassEnd(set, k, at) {
    var side = k % 2 === 1 ? 1 : -1;
    var osc = audio.createOscillator();
    osc.type = "sine";
    osc.frequency.value = TONE_HZ;
    var gain = audio.createGain();
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(TONE_GAIN, at + 0.005);
    gain.gain.setValueAtTime(TONE_GAIN, at + TONE_S - 0.02);
    gain.gain.linearRampToValueAtTime(0, at + TONE_S); // no click at either edge
    var pan = audio.createStereoPanner ? audio.createStereoPanner() : null;
    osc.connect(gain);
    if (pan) {
      pan.pan.value = side;
      gain.connect(pan);
      pan.connect(audio.destination);
    } else {
      gain.connect(audio.destination);
    }
    osc.start(at);
    osc.stop(at + TONE_S + 0.01);
    var voice = { osc: osc, k: k, at: at };
    set.voices.push(voice);
    osc.onended = function () {
      var i = set.voices.indexOf(voice);
      if (i >= 0) { set.voices.splice(i, 1); }
    };
  }

  // Silence the tones already scheduled that are not yet playing (after the pass
  // `keep`, or all): a speed, mode or clock change reschedules them from now.
  function cancelTones(set, keep) {
    if (!audio) { return; }
    var now = audio.currentTime;
    set.voices.slice().forEach(function (voice) {
      if (voice.at > now && (keep === undefined || voice.k > keep)) {
        try { voice.osc.stop(0); } catch (e) { /* already stopped */ }
        set.voices.splice(set.voices.indexOf(voice), 1);
      }
    });
    if (keep === undefined) {
      set.nextTone = Math.floor(passesAt(set, clockNow(set.source))) + 1;
    }
  }

  function startLoops() {
    stopLoops();
    frame = window.requestAnimationFrame(draw);
    scheduler = window.setInterval(schedule, SCHEDULER_MS);
    schedule();
  }

  function stopLoops() {
    if (frame) { window.cancelAnimationFrame(frame); frame = 0; }
    if (scheduler !== null) { window.clearInterval(scheduler); scheduler = null; }
  }

  // --- Start-up ----------------------------------------------------------------

  function init() {
    dot = $("bls-dot");
    counter = $("pass-counter");
    listen = $("run-listen");
    stage = $("screen-run");
    paint();
    if (reducedMotion) { $("reduced-motion-note").hidden = false; }
    if (!window.WebSocket) {
      $("unsupported").hidden = false;
      $("begin").disabled = true;
      return;
    }
    $("begin").addEventListener("click", begin);
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
