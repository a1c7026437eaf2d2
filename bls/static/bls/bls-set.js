/* One BLS set on the display: the dot's motion and the tones, in time (issue 12 §1).
 * display.js owns the screens and the connection, and runs a set through
 * `new PathwaysBlsSet(options)`: start, change, end, abandon. Loaded before display.js.
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
 * context time T is heard when the output reaches T. Without audio (or if the context
 * stops) the motion runs on performance.now(), and a change of clock mid-set
 * re-anchors as a speed change does.
 *
 * A set always stops by itself: after its passes, or after its seconds and the pass in
 * progress; end() (stop, pause, a lost connection) ends it at the end of the pass in
 * progress, never mid-sweep. Nothing blinks: the dot only moves.
 *
 * Tactile (later, DEVELOPERS.md): a phone in each hand, each paired as its own display
 * for one side, would call navigator.vibrate() where its side's tone is scheduled
 * (tone() below); iOS Safari has no Vibration API.
 */
(function () {
  "use strict";

  var LOOKAHEAD_S = 0.12; // how far ahead tones are put on the audio clock
  var SCHEDULER_MS = 25; // how often the scheduler looks (a timer: it runs when frames don't)
  var LEAD_IN_S = 0.15; // the first pass starts this long after the start message
  var TONE_S = 0.06;
  var TONE_HZ = 660;
  var TONE_GAIN = 0.25;

  /* options: audio() → the AudioContext or null; look → {mode, direction, size} (read
   * at every frame); dot and stage (elements); onProgress(whole, set) after each pass;
   * onFinish(set, done, ms) when the set has stopped (set.reason says why). */
  function PathwaysBlsSet(options) {
    this.options = options;
    this.run = null;
    this.frame = 0;
    this.scheduler = null;
    this.draw = this.draw.bind(this);
    this.schedule = this.schedule.bind(this);
  }

  var proto = PathwaysBlsSet.prototype;

  // --- The clock ---------------------------------------------------------------

  proto.audio = function () { return this.options.audio(); };

  proto.audioRunning = function () {
    var audio = this.audio();
    return audio !== null && audio.state === "running";
  };

  // Seconds on the set's clock: the audio output's context time when audio runs,
  // else the page's performance clock (see the header).
  proto.clockNow = function (source) {
    if (source === "audio") {
      var audio = this.audio();
      var stamp = audio.getOutputTimestamp ? audio.getOutputTimestamp() : null;
      var t = stamp && stamp.performanceTime > 0
        ? stamp.contextTime + (performance.now() - stamp.performanceTime) / 1000
        : audio.currentTime - (audio.outputLatency || audio.baseLatency || 0);
      // Each new output stamp corrects the estimate a little, sometimes backwards
      // (more so on a busy device): the dot must never step back, so the clock the
      // motion reads only goes forward; the correction is absorbed by the next frames.
      if (this.lastAudioNow !== undefined && t < this.lastAudioNow) {
        return this.lastAudioNow;
      }
      this.lastAudioNow = t;
      return t;
    }
    return performance.now() / 1000;
  };

  function passesAt(set, t) { return Math.max(0, set.phase0 + (t - set.t0) * set.speed); }

  function elapsed(set, t) { return set.elapsedBefore + Math.max(0, t - set.started); }

  proto.now = function (set) { return passesAt(set, this.clockNow(set.source)); };

  // Re-anchor the set at the current phase (speed or clock change): continuous.
  proto.reanchor = function (set, source, speed) {
    var t = this.clockNow(set.source);
    var phase = passesAt(set, t);
    if (source !== set.source) {
      // The seconds run so far are kept; the set's clock starts again on the new source.
      set.elapsedBefore = elapsed(set, t);
      set.started = this.clockNow(source);
    }
    set.source = source;
    set.t0 = this.clockNow(source);
    set.phase0 = phase;
    set.speed = speed;
    this.cancelTones(set);
  };

  // --- Running a set -----------------------------------------------------------

  // {speed, passes, seconds}: exactly one of passes and seconds, already in range.
  proto.start = function (values) {
    var source = this.audioRunning() ? "audio" : "perf";
    var t0 = this.clockNow(source) + LEAD_IN_S;
    this.run = {
      source: source,
      t0: t0,
      phase0: 0,
      speed: values.speed,
      passes: values.passes,
      seconds: values.seconds,
      started: t0, // on the set's clock; for "ms" and the seconds limit
      elapsedBefore: 0, // seconds run on a clock the set left (a clock change)
      endAt: values.passes, // the pass the set ends on (null: not known yet)
      reason: "done",
      reported: 0,
      nextTone: 1,
      voices: []
    };
    this.stopLoops();
    this.frame = window.requestAnimationFrame(this.draw);
    this.scheduler = window.setInterval(this.schedule, SCHEDULER_MS);
    this.schedule();
    return this.run;
  };

  // A change while the set runs: speed (phase kept), a new length, the mode.
  proto.change = function (values) {
    var set = this.run;
    if (!set) { return; }
    if (values.speed !== null && values.speed !== set.speed) {
      this.reanchor(set, set.source, values.speed);
    }
    if (set.reason === "done") {
      if (values.passes !== null) {
        set.passes = values.passes;
        set.seconds = null;
        set.endAt = Math.max(set.passes, Math.ceil(this.now(set)));
      }
      if (values.seconds !== null) {
        set.seconds = values.seconds;
        set.passes = null;
        set.endAt = null;
      }
    }
    if (this.options.look.mode === "eyes") { this.cancelTones(set); }
  };

  // End at the end of the pass in progress (never mid-sweep): stop, pause, lost.
  proto.end = function (reason) {
    var set = this.run;
    if (!set) { return; }
    var end = Math.ceil(this.now(set) - 1e-9);
    if (set.endAt === null || end < set.endAt) {
      set.endAt = end;
      this.cancelTones(set, end);
    }
    set.reason = reason;
    this.check(set);
  };

  // Drop the set at once (a new start, a new code, the pairing ended): the passes
  // done and the ms run, or null if no set ran.
  proto.abandon = function () {
    var set = this.run;
    if (!set) { return null; }
    var t = this.clockNow(set.source);
    this.cancelTones(set, -1);
    this.run = null;
    this.stopLoops();
    return { passes: Math.floor(passesAt(set, t)), ms: Math.round(elapsed(set, t) * 1000) };
  };

  proto.finish = function (set) {
    var endTime = set.t0 + (set.endAt - set.phase0) / set.speed;
    var ms = Math.round(Math.max(0, elapsed(set, endTime)) * 1000);
    this.cancelTones(set, set.endAt);
    this.run = null;
    this.stopLoops();
    this.options.onFinish(set, set.endAt, ms);
  };

  // What a set does now (frames and the scheduler both call it, so that a hidden
  // window, which gets no frames, still counts, reports and stops). False once over.
  proto.check = function (set) {
    if (set.source === "audio" && !this.audioRunning()) {
      this.reanchor(set, "perf", set.speed); // the audio stopped: carry on, silently
    }
    var t = this.clockNow(set.source);
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
      this.options.onProgress(whole, set);
    }
    if (set.endAt !== null && current >= set.endAt) {
      this.finish(set);
      return false;
    }
    return true;
  };

  // --- Drawing -----------------------------------------------------------------

  proto.draw = function () {
    this.frame = 0;
    var set = this.run;
    if (!set || !this.check(set)) { return; }
    var p = this.now(set);
    if (set.endAt !== null) { p = Math.min(p, set.endAt); }
    var phase = p % 2;
    var across = phase <= 1 ? phase : 2 - phase; // the triangle wave: 0 left, 1 right
    var look = this.options.look;
    var stage = this.options.stage;
    var width = stage.clientWidth;
    var height = stage.clientHeight;
    var pad = Math.max(8, Math.round(width * 0.04));
    var x = pad + across * Math.max(0, width - 2 * pad - look.size);
    var y = (height - look.size) / 2;
    if (look.direction === "diagonal") {
      var padY = Math.max(8, Math.round(height * 0.06));
      y = padY + across * Math.max(0, height - 2 * padY - look.size);
    }
    // The CSSOM, which the CSP allows (never a style attribute in the markup).
    this.options.dot.style.transform = "translate(" + x.toFixed(2) + "px, " + y.toFixed(2) + "px)";
    this.frame = window.requestAnimationFrame(this.draw);
  };

  // --- Tones: the look-ahead scheduler ------------------------------------------

  proto.schedule = function () {
    var set = this.run;
    if (!set || !this.check(set)) { return; }
    if (set.source !== "audio" || this.options.look.mode === "eyes") { return; }
    var now = this.audio().currentTime;
    var horizon = now + LOOKAHEAD_S;
    var first = Math.max(set.nextTone, Math.floor(set.phase0) + 1);
    for (var k = first; ; k += 1) {
      if (set.endAt !== null && k > set.endAt) { break; }
      var at = set.t0 + (k - set.phase0) / set.speed; // the end of pass k
      if (at > horizon) { break; }
      set.nextTone = k + 1;
      if (at < now) { continue; } // too late to be in step: skip it, never play it late
      this.tone(set, k, at);
    }
  };

  // The tone at the end of pass k, on the side the dot arrives: right after an odd
  // pass (it starts at the left), left after an even one.
  proto.tone = function (set, k, at) {
    var audio = this.audio();
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
  };

  // Silence the tones already scheduled that are not yet playing (after the pass
  // `keep`, or all): a speed, mode or clock change reschedules them from now.
  proto.cancelTones = function (set, keep) {
    var audio = this.audio();
    if (!audio) { return; }
    var now = audio.currentTime;
    set.voices.slice().forEach(function (voice) {
      if (voice.at > now && (keep === undefined || voice.k > keep)) {
        try { voice.osc.stop(0); } catch (e) { /* already stopped */ }
        set.voices.splice(set.voices.indexOf(voice), 1);
      }
    });
    if (keep === undefined) {
      set.nextTone = Math.floor(this.now(set)) + 1;
    }
  };

  proto.stopLoops = function () {
    if (this.frame) { window.cancelAnimationFrame(this.frame); this.frame = 0; }
    if (this.scheduler !== null) { window.clearInterval(this.scheduler); this.scheduler = null; }
  };

  window.PathwaysBlsSet = PathwaysBlsSet;
})();
