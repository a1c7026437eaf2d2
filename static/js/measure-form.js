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
 * - "Submit my answers" with questions left shows the error summary at once (the same
 *   markup as the server's), each unanswered question listed and linked, with focus;
 *   each link opens its question and puts focus on its first answer.
 * Safety: a refused submit must still reach the server, which keeps the answers given
 * and raises any safety alert (PHQ-9 item 9) at once. So the answers are sent all the
 * same, in the background, as "Save and continue later" (the server's own draft path);
 * if the server shows the crisis resources, they are put first on the page; if the
 * background save fails, the form is submitted as it would be without this script.
 */
(function () {
  "use strict";

  var form = document.getElementById("measure-form");
  if (!form) {
    return;
  }
  var MODE_KEY = "pathways-measure-mode";
  // The server's message beside an unanswered question (measures.forms.MISSING).
  var MISSING = "Answer this question before you submit.";
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

  function unanswered() {
    return steps.filter(function (step) {
      return step.hasAttribute("data-scored") && !step.querySelector("input:checked");
    });
  }

  function makeElement(tag, attributes, text) {
    var element = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) { element.setAttribute(name, attributes[name]); });
    if (text) {
      element.textContent = text;
    }
    return element;
  }

  function markMissing(step) {
    var input = step.querySelector("input[type=radio]");
    var errorId = input.name ? "id_" + input.name + "_error" : "";
    step.classList.add("has-error");
    if (errorId && !document.getElementById(errorId)) {
      var legend = step.querySelector("legend");
      var message = makeElement("p", { "class": "error", id: errorId }, MISSING);
      legend.parentNode.insertBefore(message, legend.nextSibling);
      step.setAttribute("aria-describedby", errorId);
    }
  }

  function clearAnswered() {
    steps.forEach(function (step) {
      if (step.querySelector("input:checked") && step.classList.contains("has-error")) {
        step.classList.remove("has-error");
        var input = step.querySelector("input[type=radio]");
        var message = document.getElementById("id_" + input.name + "_error");
        if (message && message.textContent === MISSING) {
          message.parentNode.removeChild(message);
          step.removeAttribute("aria-describedby");
        }
      }
    });
  }

  function showSummary(missing) {
    var count = missing.length;
    var box = makeElement("div", {
      "class": "error-summary", role: "alert", tabindex: "-1", id: "error-summary",
      "aria-labelledby": "error-summary-title"
    });
    box.appendChild(makeElement("h2", { id: "error-summary-title" }, "Some questions are not answered yet"));
    box.appendChild(makeElement("p", {}, count + (count === 1 ? " question still needs" : " questions still need") +
      " an answer; each is marked below. Your other answers are kept."));
    var list = makeElement("ul", { "class": "error-list" });
    missing.forEach(function (step) {
      var input = step.querySelector("input[type=radio]");
      var legend = step.querySelector("legend");
      var label = legend.lastChild ? legend.lastChild.textContent.trim() : "";
      var item = makeElement("li", {});
      item.appendChild(makeElement("a", { href: "#" + input.id }, step.getAttribute("data-label") + ": " + label));
      list.appendChild(item);
      markMissing(step);
    });
    box.appendChild(list);
    if (summary && summary.parentNode) {
      summary.parentNode.replaceChild(box, summary);
    } else {
      var anchor = modeBox || document.getElementById("progress-text") || form;
      anchor.parentNode.insertBefore(box, anchor);
    }
    summary = box;
    summary.addEventListener("click", onSummaryClick);
    summary.focus();
  }

  function showCrisis(html) {
    if (document.getElementById("crisis-resources")) {
      return;
    }
    var page = new DOMParser().parseFromString(html, "text/html");
    var crisis = page.getElementById("crisis-resources");
    var main = document.getElementById("main");
    if (crisis && main) {
      main.insertBefore(document.importNode(crisis, true), main.firstChild);
    }
  }

  function saveInBackground(submitter) {
    // What a refused submit does on the server: keep the answers, raise any alert.
    var data = new FormData(form);
    data.delete("submit");
    data.set("save", "1");
    return window.fetch(window.location.href, {
      method: "POST", body: data, credentials: "same-origin", keepalive: true
    }).then(function (response) {
      if (response.status === 410) {
        window.location.assign(window.location.href);  // the link closed meanwhile
        return null;
      }
      if (!response.ok) {
        throw new Error("save failed: " + response.status);
      }
      return response.text();
    }).then(function (html) {
      if (html) {
        showCrisis(html);
      }
    }).catch(function () {
      // Could not save in the background: let the server answer the submit itself.
      form.removeEventListener("submit", onSubmit);
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(submitter);
      } else {
        form.submit();
      }
    });
  }

  function onSubmit(event) {
    var submitter = event.submitter;
    if (!submitter || submitter.name !== "submit" || typeof window.fetch !== "function") {
      return;
    }
    var missing = unanswered();
    if (!missing.length) {
      return;
    }
    event.preventDefault();
    showSummary(missing);
    saveInBackground(submitter);
  }

  form.addEventListener("submit", onSubmit);
  form.addEventListener("change", clearAnswered);

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

  function onSummaryClick(event) {
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
  }

  if (summary) {
    summary.addEventListener("click", onSummaryClick);
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
