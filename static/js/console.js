/* The dosing console's sticky bar (templates/dosing/_console_bar.html).
 *
 * The server renders the bar; this keeps it live between requests: the minutes
 * since the dose tick from data-dose-at, and once data-due-at (the next vitals due)
 * has passed the bar turns overdue (colour, icon and text), announced once through
 * the polite status region (#console-overdue); the minutes late are shown beside it,
 * outside the live region, so that a screen reader is not told every minute.
 * data-now is the server's clock when the bar was drawn, so that a computer whose
 * clock is off still counts from the server's time. The bar may be swapped by htmx
 * (the vitals form), so it is looked up again at every tick.
 * Loaded as a file: the CSP allows no inline script.
 */
(function () {
  "use strict";
  var TICK_MS = 15000;

  function minutesBetween(later, earlier) {
    return Math.max(0, Math.floor((later - earlier) / 60000));
  }

  function tick() {
    var bar = document.getElementById("console-bar");
    if (!bar) {
      return;
    }
    if (!bar.dataset.skew) {
      var serverNow = Date.parse(bar.dataset.now || "");
      bar.dataset.skew = String(isNaN(serverNow) ? 0 : serverNow - Date.now());
    }
    var now = Date.now() + parseInt(bar.dataset.skew, 10);

    var doseAt = Date.parse(bar.dataset.doseAt || "");
    var since = bar.querySelector("[data-since-dose]");
    if (since && !isNaN(doseAt)) {
      since.textContent = String(minutesBetween(now, doseAt));
    }

    // The expected peak (issue 12 §3): "in N minutes", then "passed N minutes ago".
    var peakAt = Date.parse(bar.dataset.peakAt || "");
    var peak = bar.querySelector("[data-peak-text]");
    if (peak && !isNaN(peakAt)) {
      var ms = peakAt - now;
      var whole = Math.floor(Math.abs(ms) / 60000);
      var s = whole === 1 ? "" : "s";
      if (ms >= 0 && whole > 0) {
        peak.textContent = "Expected peak in " + whole + " minute" + s;
      } else if (whole === 0) {
        peak.textContent = "Expected peak now";
      } else {
        peak.textContent = "Expected peak passed " + whole + " minute" + s + " ago";
      }
    }

    var dueAt = Date.parse(bar.dataset.dueAt || "");
    var flag = document.getElementById("console-overdue");
    var by = document.getElementById("console-overdue-by");
    if (isNaN(dueAt) || !flag || !by) {
      return;
    }
    var late = minutesBetween(now, dueAt) >= 1; // a whole minute late, as the server counts
    var wasLate = bar.classList.contains("is-overdue");
    if (late !== wasLate) {
      bar.classList.toggle("is-overdue", late);
      flag.textContent = "";
      if (late) {
        var icon = document.createElement("span");
        icon.setAttribute("aria-hidden", "true");
        icon.textContent = "\u26a0 ";
        flag.appendChild(icon);
        flag.appendChild(document.createTextNode("Vitals overdue"));
      }
    }
    by.textContent = late ? "by " + minutesBetween(now, dueAt) + " min" : "";
  }

  function start() {
    tick();
    window.setInterval(tick, TICK_MS);
    document.body.addEventListener("htmx:afterSettle", tick);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
