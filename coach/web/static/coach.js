// Interview Coach: small progressive enhancements. Every page works without this file.
// - the answer draft is kept in localStorage (survives reload and the back button);
// - a live word count; a soft countdown to the suggested time (it warns, never discards);
// - Ctrl+Enter (Cmd+Enter) submits the answer.
(function () {
  "use strict";
  var PREFIX = "coach:draft:";
  var STARTED = "coach:started:";

  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function clearDrafts(prefix) {
    var s = store();
    if (!s) return;
    for (var i = s.length - 1; i >= 0; i--) {
      var key = s.key(i);
      if (key && (key.indexOf(PREFIX + prefix) === 0 || key.indexOf(STARTED + prefix) === 0)) {
        s.removeItem(key);
      }
    }
  }

  function countWords(text) {
    var words = text.trim().split(/\s+/);
    return words[0] === "" ? 0 : words.length;
  }

  function setupAnswer(form) {
    var s = store();
    var key = form.getAttribute("data-draft-key");
    var area = form.querySelector("textarea");
    var words = form.querySelector(".word-count .words");
    var count = form.querySelector(".word-count");
    var limit = parseInt(area.getAttribute("data-max-chars") || "0", 10);

    if (s && key && !area.value) {
      var saved = s.getItem(PREFIX + key);
      if (saved) {
        area.value = saved;
        var note = document.createElement("p");
        note.className = "hint draft-restored";
        note.textContent = "Your unsent draft was restored from this browser.";
        count.parentNode.insertBefore(note, count.nextSibling);
      }
    }

    function update() {
      var n = countWords(area.value);
      words.textContent = String(n);
      if (limit && area.value.length > limit) {
        count.setAttribute("data-over", "true");
        words.textContent = n + " (over the " + limit.toLocaleString() + "-character limit)";
      } else {
        count.removeAttribute("data-over");
      }
    }
    area.addEventListener("input", function () {
      update();
      if (s && key) {
        try { s.setItem(PREFIX + key, area.value); } catch (e) { /* storage full: keep going */ }
      }
    });
    area.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }
    });
    update();
  }

  function setupTimer(timer) {
    var s = store();
    var key = timer.getAttribute("data-draft-key");
    var total = parseInt(timer.getAttribute("data-minutes") || "0", 10) * 60;
    var shown = timer.querySelector(".timer-remaining");
    var status = document.querySelector(".timer-status");
    if (!total || !shown) return;
    var started = s && key ? parseInt(s.getItem(STARTED + key) || "0", 10) : 0;
    if (!started) {
      started = Date.now();
      if (s && key) { try { s.setItem(STARTED + key, String(started)); } catch (e) { /* ignore */ } }
    }
    var warnedMinute = false;
    var warnedEnd = false;

    function pad(n) { return n < 10 ? "0" + n : String(n); }
    function tick() {
      var left = total - Math.floor((Date.now() - started) / 1000);
      if (left > 0) {
        shown.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60) + " left.";
        if (left <= 60 && !warnedMinute && status) {
          warnedMinute = true;
          status.textContent = "One minute left of the suggested time.";
        }
      } else {
        timer.classList.add("overtime");
        shown.textContent = "Time is up: finish your thought and submit. Nothing is discarded.";
        if (!warnedEnd && status) {
          warnedEnd = true;
          status.textContent = "The suggested time is up. You can keep writing; nothing is discarded.";
        }
      }
    }
    tick();
    window.setInterval(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var clear = document.body.getAttribute("data-clear-draft");
    if (clear) clearDrafts(clear);
    var forms = document.querySelectorAll("form.answer-form[data-draft-key]");
    for (var i = 0; i < forms.length; i++) setupAnswer(forms[i]);
    var timers = document.querySelectorAll(".timer[data-minutes]");
    for (var j = 0; j < timers.length; j++) setupTimer(timers[j]);
    var verdict = document.getElementById("verdict");
    if (verdict && window.location.hash === "#verdict") verdict.focus();
  });
})();
