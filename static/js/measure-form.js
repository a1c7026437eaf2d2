/* The client's questionnaire (templates/measures/answer.html).
 *
 * Without this script the page works as it is: every question on one page, checked
 * by the server on submit. With it:
 * - live progress ("7 of 16 questions answered") as answers are chosen, no round trip;
 * - a choice between all questions on one page (the default on a wide screen) and one
 *   question at a time with Back and Next (the default at 600 px or less), kept for the
 *   tab in sessionStorage; "Submit" shows on the last question, or once all are answered;
 * - in one-at-a-time mode, Enter on an answer goes to the next question (and submits
 *   on the last); arrows choose within a question, as radio buttons always do;
 * - the server's error summary takes focus, and each of its links opens its question
 *   and puts focus on its first answer.
 * Answers are never checked here before they are sent: the server keeps what was
 * given and raises any safety alert (PHQ-9 item 9) even on a refused submit, so an
 * incomplete submit always reaches it.
 */
(function () {
  "use strict";

  var form = document.getElementById("measure-form");
  if (!form) {
    return;
  }
  var MODE_KEY = "pathways-measure-mode";
  var total = Number(form.getAttribute("data-total")) || 0;
  var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-step]"));
  var sections = Array.prototype.slice.call(form.querySelectorAll("section.measure"));
  var progress = document.getElementById("progress");
  var progressCount = document.getElementById("progress-count");
  var modeBox = document.getElementById("measure-mode");
  var modeButtons = modeBox ? Array.prototype.slice.call(modeBox.querySelectorAll("button[data-mode]")) : [];
  var nav = document.getElementById("step-nav");
  var status = document.getElementById("step-status");
  var back = document.getElementById("step-back");
  var next = document.getElementById("step-next");
  var submit = document.getElementById("submit-answers");
  var summary = document.getElementById("error-summary");
  var mode = "all";
  var current = 0;

  function answered() {
    return form.querySelectorAll("fieldset[data-scored] input[type=radio]:checked").length;
  }

  function updateProgress() {
    var count = answered();
    if (progress) {
      progress.value = count;
      progress.textContent = count + " of " + total;
    }
    if (progressCount) {
      progressCount.textContent = count + " of " + total + " questions answered";
    }
  }

  function showSubmit() {
    // One at a time: "Submit" on the last question, or as soon as all are answered.
    if (submit && mode === "one") {
      submit.hidden = !(current === steps.length - 1 || answered() >= total);
    }
  }

  function firstAnswer(step) {
    return step.querySelector("input[type=radio]:checked") || step.querySelector("input[type=radio]");
  }

  function show(index, moveFocus) {
    current = Math.max(0, Math.min(index, steps.length - 1));
    var step = steps[current];
    steps.forEach(function (each, i) { each.hidden = i !== current; });
    sections.forEach(function (section) { section.hidden = !section.contains(step); });
    status.textContent = step.getAttribute("data-label");
    back.disabled = current === 0;
    next.hidden = current === steps.length - 1;
    showSubmit();
    if (moveFocus) {
      var input = firstAnswer(step);
      if (input) {
        input.focus();
      }
      step.scrollIntoView({ block: "nearest" });
    }
  }

  function remember(value) {
    try {
      window.sessionStorage.setItem(MODE_KEY, value);
    } catch (e) {
      /* storage may be off (a private window): the choice lasts for this page only */
    }
  }

  function remembered() {
    try {
      return window.sessionStorage.getItem(MODE_KEY);
    } catch (e) {
      return null;
    }
  }

  function setMode(value) {
    mode = value === "one" && steps.length ? "one" : "all";
    form.classList.toggle("one-at-a-time", mode === "one");
    modeButtons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-mode") === mode));
    });
    nav.hidden = mode !== "one";
    if (mode === "one") {
      show(current, false);
    } else {
      steps.forEach(function (each) { each.hidden = false; });
      sections.forEach(function (section) { section.hidden = false; });
      if (submit) {
        submit.hidden = false;
      }
    }
  }

  function stepOf(element) {
    for (var i = 0; i < steps.length; i += 1) {
      if (steps[i].contains(element)) {
        return i;
      }
    }
    return -1;
  }

  function startingStep() {
    // Where the client left off: the first question marked by the server, else the
    // first without an answer, else the first.
    for (var i = 0; i < steps.length; i += 1) {
      if (steps[i].classList.contains("has-error")) {
        return i;
      }
    }
    for (var j = 0; j < steps.length; j += 1) {
      if (steps[j].hasAttribute("data-scored") && !steps[j].querySelector("input:checked")) {
        return j;
      }
    }
    return 0;
  }

  form.addEventListener("change", function (event) {
    if (event.target && event.target.type === "radio") {
      updateProgress();
      showSubmit();
    }
  });

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (mode !== "one" || event.key !== "Enter" || !target || target.type !== "radio") {
      return;
    }
    if (current < steps.length - 1) {
      event.preventDefault();
      show(current + 1, true);
    } else if (submit && typeof form.requestSubmit === "function") {
      event.preventDefault();
      form.requestSubmit(submit);
    }
  });

  back.addEventListener("click", function () { show(current - 1, true); });
  next.addEventListener("click", function () { show(current + 1, true); });

  modeButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      var value = button.getAttribute("data-mode");
      if (value === "one" && mode !== "one") {
        current = startingStep();  // the first question still without an answer
      }
      remember(value);
      setMode(value);
    });
  });

  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target && event.target.closest ? event.target.closest("a[href^='#']") : null;
      if (!link) {
        return;
      }
      var input = document.getElementById(link.getAttribute("href").slice(1));
      var index = input ? stepOf(input) : -1;
      if (index < 0) {
        return;
      }
      event.preventDefault();
      if (mode === "one") {
        show(index, false);
      }
      steps[index].scrollIntoView({ block: "start" });
      input.focus({ preventScroll: true });
    });
  }

  current = startingStep();
  var chosen = remembered();
  var narrow = window.matchMedia && window.matchMedia("(max-width: 600px)").matches;
  setMode(chosen === "one" || chosen === "all" ? chosen : narrow ? "one" : "all");
  if (modeBox) {
    modeBox.hidden = false;
  }
  updateProgress();
  if (summary) {
    summary.focus();
  }
})();
