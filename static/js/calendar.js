/* The schedule's time grid (templates/scheduling/calendar.html): move an appointment
   by dragging it to another time or column, or with the keyboard: focus it, arrow keys
   (up and down: 15 minutes; left and right: the next column), Enter to move, Escape to
   stop. Either way the page posts the hidden move form (with its CSRF token) to the
   appointment's move URL; the server checks the new time (it refuses a clash) and
   answers with the calendar and a status message saying what happened, or why not.
   Without this script every block is still a link to its page, which has a Move form. */
(function () {
  "use strict";
  var cal = document.getElementById("calendar");
  var form = document.getElementById("cal-move-form");
  if (!cal || !form) return;
  var live = document.getElementById("cal-live");
  var bodies = Array.prototype.slice.call(cal.querySelectorAll(".cal-col .cal-body"));
  var firstMinute = parseInt(cal.getAttribute("data-first-hour"), 10) * 60;
  var rows = parseInt(cal.getAttribute("data-rows"), 10);
  var ROW = 15;
  var lastMinute = firstMinute + rows * ROW;

  function hm(minutes) {
    var h = Math.floor(minutes / 60), m = minutes % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  function minutesOf(text) {
    var parts = text.split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }

  function say(text) {
    if (live) live.textContent = text;
  }

  function submitMove(block, body, start) {
    form.setAttribute("action", block.getAttribute("data-move-url"));
    form.elements["move-date"].value = body.getAttribute("data-date");
    form.elements["move-start"].value = start;
    form.elements["move-duration"].value = block.getAttribute("data-minutes");
    form.elements["move-clinician"].value =
      body.getAttribute("data-clinician") || block.getAttribute("data-clinician");
    form.elements["move-room"].value =
      body.getAttribute("data-room") || block.getAttribute("data-room");
    say("Moving…");
    form.submit();
  }

  function setRow(block, minutes) {
    block.className = block.className.replace(/\bcal-r\d+\b/, "cal-r" + ((minutes - firstMinute) / ROW + 1));
  }

  // --- Drag and drop ---------------------------------------------------------------
  var dragged = null;

  function dropStart(body, event) {
    var slot = event.target.closest ? event.target.closest(".cal-slot") : null;
    if (slot && body.contains(slot)) return minutesOf(slot.getAttribute("data-start"));
    var rect = body.getBoundingClientRect();
    var row = Math.floor(((event.clientY - rect.top) / rect.height) * rows);
    return firstMinute + Math.max(0, Math.min(rows - 1, row)) * ROW;
  }

  cal.addEventListener("dragstart", function (event) {
    var block = event.target.closest ? event.target.closest(".cal-appt[draggable='true']") : null;
    if (!block) return;
    dragged = block;
    block.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", block.getAttribute("data-appointment"));
  });

  cal.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    var marked = cal.querySelectorAll(".is-drop-target");
    for (var i = 0; i < marked.length; i++) marked[i].classList.remove("is-drop-target");
  });

  bodies.forEach(function (body) {
    body.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      var marked = cal.querySelectorAll(".is-drop-target");
      for (var i = 0; i < marked.length; i++) marked[i].classList.remove("is-drop-target");
      var slot = event.target.closest ? event.target.closest(".cal-slot") : null;
      if (slot) slot.classList.add("is-drop-target");
    });
    body.addEventListener("drop", function (event) {
      if (!dragged) return;
      event.preventDefault();
      var block = dragged;
      submitMove(block, body, hm(dropStart(body, event)));
    });
  });

  // --- The keyboard ------------------------------------------------------------------
  var moving = null; // {block, home, homeClass, column, start}

  function describe() {
    var body = bodies[moving.column];
    return (
      "Move to " + body.getAttribute("data-heading") + ", " + body.getAttribute("data-date") +
      " at " + hm(moving.start) + ". Enter to move, Escape to stop."
    );
  }

  function stop(restore) {
    if (!moving) return;
    var block = moving.block;
    block.classList.remove("is-moving");
    if (restore) {
      block.className = moving.homeClass;
      if (moving.time) moving.time.textContent = moving.homeTime;
      moving.home.appendChild(block);
      block.focus();
      say("Not moved.");
    }
    moving = null;
  }

  cal.addEventListener("keydown", function (event) {
    var block = event.target.closest ? event.target.closest(".cal-appt[draggable='true']") : null;
    if (!block) return;
    var key = event.key;
    var arrows = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"];
    if (arrows.indexOf(key) !== -1) {
      event.preventDefault();
      if (!moving || moving.block !== block) {
        stop(true);
        moving = {
          block: block,
          home: block.parentNode,
          homeClass: block.className,
          column: bodies.indexOf(block.parentNode),
          start: minutesOf(block.getAttribute("data-start")),
          time: block.querySelector(".cal-time"),
          homeTime: "",
        };
        if (moving.time) moving.homeTime = moving.time.textContent;
        block.classList.add("is-moving");
      }
      var length = parseInt(block.getAttribute("data-minutes"), 10);
      if (key === "ArrowUp") moving.start = Math.max(firstMinute, moving.start - ROW);
      if (key === "ArrowDown") moving.start = Math.min(Math.max(firstMinute, lastMinute - Math.min(length, rows * ROW)), moving.start + ROW);
      if (key === "ArrowLeft") moving.column = Math.max(0, moving.column - 1);
      if (key === "ArrowRight") moving.column = Math.min(bodies.length - 1, moving.column + 1);
      setRow(block, Math.max(firstMinute, moving.start));
      if (moving.time) {
        moving.time.textContent = hm(moving.start) + "–" + hm(moving.start + length) + " (moving)";
      }
      if (block.parentNode !== bodies[moving.column]) {
        bodies[moving.column].appendChild(block);
        block.focus();
      }
      say(describe());
    } else if (key === "Enter" && moving && moving.block === block) {
      event.preventDefault();
      var target = bodies[moving.column];
      var start = hm(moving.start);
      moving.block.classList.remove("is-moving");
      moving = null;
      submitMove(block, target, start);
    } else if (key === "Escape" && moving) {
      event.preventDefault();
      stop(true);
    }
  });

  cal.addEventListener("focusout", function (event) {
    // Leaving the block (Tab, a click elsewhere) puts it back where it was. Moving the
    // block to another column blurs it for a moment too: it has its focus back by then.
    if (!moving || event.target !== moving.block) return;
    var block = moving.block;
    window.setTimeout(function () {
      if (moving && moving.block === block && document.activeElement !== block) stop(true);
    }, 0);
  });
})();
