/* The idle warning on staff pages (templates/base.html, #idle-warning).
 *
 * The server ends a session at most SESSION_IDLE_MINUTES after its last request, and
 * no sooner than SESSION_RENEW_SECONDS before that (accounts/session_store.py): the
 * page's data-idle-seconds is the shorter time, so this signs out first. This
 * shows a warning SESSION_WARNING_MINUTES before that, with a "Stay signed in"
 * button that posts to the keep-alive URL, and when the time is up goes to the
 * sign-in page, so that no PHI stays on an unattended screen. The time of the last
 * request is shared between tabs (localStorage), so that a tab left open does not
 * sign out someone working in another, nor keep the session alive by itself.
 * Loaded as a file: the CSP allows no inline script.
 */
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  if (!box) {
    return;
  }
  var KEY = "pathways-last-activity";
  var idleMs = parseInt(box.dataset.idleSeconds, 10) * 1000;
  var warnMs = parseInt(box.dataset.warningSeconds, 10) * 1000;
  var signInUrl = box.dataset.signInUrl;
  var form = box.querySelector("form");
  var left = box.querySelector("[data-idle-left]");
  var timer = null;
  var lastHere = 0;

  function lastActivity() {
    var stored = 0;
    try {
      stored = parseInt(window.localStorage.getItem(KEY), 10) || 0;
    } catch (e) {
      stored = 0;
    }
    return Math.max(stored, lastHere);
  }

  function touched() {
    lastHere = Date.now();
    try {
      window.localStorage.setItem(KEY, String(lastHere));
    } catch (e) {
      /* private mode: this tab's own time still counts */
    }
    check();
  }

  function minutesLeft(ms) {
    var minutes = Math.max(1, Math.ceil(ms / 60000));
    return minutes === 1 ? "1 minute" : minutes + " minutes";
  }

  function check() {
    window.clearTimeout(timer);
    var remaining = lastActivity() + idleMs - Date.now();
    if (remaining <= 0) {
      var here = window.location.pathname + window.location.search;
      window.location.assign(signInUrl + "?next=" + encodeURIComponent(here));
      return;
    }
    if (remaining <= warnMs) {
      if (box.hidden) {
        box.hidden = false;
        form.querySelector("button").focus();
      }
      left.textContent = minutesLeft(remaining);
    } else {
      box.hidden = true;
    }
    // Look again every few seconds: timers pause in background tabs.
    timer = window.setTimeout(check, Math.min(5000, Math.max(250, remaining - warnMs)));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window
      .fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/json") === 0) {
          touched();
        } else {
          window.location.assign(window.location.href);
        }
      })
      .catch(function () {
        box.querySelector("[data-idle-error]").hidden = false;
      });
  });

  window.addEventListener("storage", function (event) {
    if (event.key === KEY) {
      check();
    }
  });
  document.body.addEventListener("htmx:afterRequest", touched);
  touched();
})();
