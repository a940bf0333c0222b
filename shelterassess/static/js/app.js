/* Keeps what is typed into forms in this browser (localStorage) until the server confirms the
 * save, so nothing is lost when a session times out or the connection drops. No framework, no
 * network calls; every text shown comes from the page (data- attributes rendered with gettext).
 *
 * - form[data-keep-draft]: one draft per form, dropped when the page's data-saved-at changes.
 * - form[data-draft-mode=indicator] (the score form): one draft per indicator and user, based on
 *   the score version the user started from; a colleague's save of another indicator never
 *   discards it, and a colleague's save of the same one lets the user choose.
 * - form[data-logout]: logging out removes every draft of this app from the browser. */
(function () {
  "use strict";
  var PREFIX = "shelterassess:";
  var leaving = false;            // a form of ours is being submitted: no "leave the page?" question
  var dirtyChecks = [];           // functions: does this page hold unsaved changes?

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function readJSON(key) {
    var s = storage();
    try { return s ? JSON.parse(s.getItem(key) || "null") : null; } catch (e) { return null; }
  }
  function writeJSON(key, value) {
    var s = storage();
    try { if (s) { s.setItem(key, JSON.stringify(value)); } } catch (e) { /* full or disabled: the form still has it */ }
  }
  function remove(key) {
    var s = storage();
    try { if (s) { s.removeItem(key); } } catch (e) {}
  }
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, name) { return name in values ? String(values[name]) : m; });
  }
  function charCount(text) { return Array.from ? Array.from(text).length : text.length; }  // as the server counts

  /* -- one draft per form (reconciliation, calibration) ------------------------------------------ */

  function formKey(form) { return PREFIX + "draft:" + form.getAttribute("data-keep-draft"); }

  function snapshot(form) {
    var data = {};
    each(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "hidden" || el.type === "submit") { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        if (!(el.name in data)) { data[el.name] = []; }
        if (el.checked) { data[el.name].push(el.value); }
      } else { data[el.name] = el.value; }
    });
    return data;
  }

  function restore(form, data) {
    each(form.elements, function (el) {
      if (!el.name || !(el.name in data) || el.type === "hidden") { return; }
      if (el.type === "radio" || el.type === "checkbox") { el.checked = data[el.name].indexOf(el.value) !== -1; }
      else { el.value = data[el.name]; }
    });
  }

  function setupFormDraft(form) {
    var key = formKey(form);
    var savedAt = form.getAttribute("data-saved-at") || "";
    var notice = document.getElementById(form.getAttribute("data-restore-notice"));
    var stored = readJSON(key);
    if (stored && stored.base === savedAt && stored.data) {
      restore(form, stored.data);
      if (notice) { notice.hidden = false; }
    } else if (stored) { remove(key); }
    form.addEventListener("input", function () { writeJSON(key, { base: savedAt, data: snapshot(form) }); });
  }

  function clearConfirmedFormDraft() {
    var marker = document.querySelector("[data-draft-saved]");
    if (marker) { remove(PREFIX + "draft:" + marker.getAttribute("data-draft-saved")); }
  }

  /* -- the score form: one draft per indicator ---------------------------------------------------- */

  function normal(answer) {
    answer = answer || {};
    return {
      score: answer.score || "",
      evidence: (answer.evidence || []).slice().sort(),
      note: String(answer.note || "").replace(/\r\n?/g, "\n").trim()
    };
  }
  function sameAnswer(a, b) {
    a = normal(a); b = normal(b);
    return a.score === b.score && a.note === b.note && a.evidence.join(",") === b.evidence.join(",");
  }

  function setupIndicatorDrafts(form) {
    var user = form.getAttribute("data-user");
    var assessment = form.getAttribute("data-assessment");
    var restoreNotice = document.getElementById(form.getAttribute("data-restore-notice"));
    var conflictNotice = document.getElementById(form.getAttribute("data-conflict-notice"));
    var template = document.getElementById(form.getAttribute("data-conflict-template"));
    var confirmed = JSON.parse(form.getAttribute("data-saved-versions") || "{}");
    var indicators = [];

    each(form.querySelectorAll("fieldset[data-indicator]"), function (fs) {
      var id = fs.getAttribute("data-indicator");
      indicators.push({
        id: id, fieldset: fs, code: fs.getAttribute("data-code"),
        saved: JSON.parse(fs.getAttribute("data-saved") || "{}"),
        version: (form.elements["version-" + id] || {}).value || "",
        key: PREFIX + "answer:" + user + ":" + assessment + ":" + id,
        conflict: null   // the panel while the user has not chosen between two answers
      });
    });

    function radios(ind) { return form.querySelectorAll("input[name='score-" + ind.id + "']"); }
    function boxes(ind) { return form.querySelectorAll("input[name='evidence-" + ind.id + "']"); }
    function noteField(ind) { return form.elements["note-" + ind.id]; }

    function current(ind) {
      var answer = { score: "", evidence: [], note: noteField(ind) ? noteField(ind).value : "" };
      each(radios(ind), function (r) { if (r.checked) { answer.score = r.value; } });
      each(boxes(ind), function (c) { if (c.checked) { answer.evidence.push(c.value); } });
      return answer;
    }
    function put(ind, answer) {
      each(radios(ind), function (r) { r.checked = r.value === (answer.score || ""); });
      each(boxes(ind), function (c) { c.checked = (answer.evidence || []).indexOf(c.value) !== -1; });
      if (noteField(ind)) { noteField(ind).value = answer.note || ""; }
    }
    function remember(ind) {
      var answer = current(ind);
      if (sameAnswer(answer, ind.saved)) { remove(ind.key); return; }
      writeJSON(ind.key, { base: ind.version, score: answer.score, evidence: answer.evidence, note: answer.note,
                           at: new Date().toISOString() });
    }

    // Texts of an answer, taken from the form's own labels.
    function describe(ind, answer, dl, labels) {
      var scoreText = labels.getAttribute("data-empty");
      each(radios(ind), function (r) { if (r.value === answer.score) { scoreText = r.parentNode.textContent; } });
      var evidence = [];
      each(boxes(ind), function (c) {
        if ((answer.evidence || []).indexOf(c.value) !== -1) { evidence.push(c.parentNode.textContent); }
      });
      var collapse = function (t) { return t.replace(/\s+/g, " ").trim(); };
      var rows = [["data-score", collapse(scoreText)], ["data-evidence", collapse(evidence.join(", "))],
                  ["data-note", String(answer.note || "").trim()]];
      rows.forEach(function (row) {
        var dt = document.createElement("dt"), dd = document.createElement("dd");
        dt.textContent = labels.getAttribute(row[0]);
        dd.textContent = row[1] || labels.getAttribute("data-none");
        if (row[0] === "data-note") { dd.className = "preserve-lines"; }
        dl.appendChild(dt); dl.appendChild(dd);
      });
    }

    function showConflict(ind, draft) {
      var panel = template.content.querySelector(".draft-conflict").cloneNode(true);
      var labels = template.content.querySelector("[data-slot=labels]");
      var done = template.content.querySelector(".draft-conflict-done");
      var introId = "draft-conflict-" + ind.id;
      panel.querySelector(".draft-conflict-intro").id = introId;
      panel.setAttribute("aria-labelledby", introId);
      describe(ind, draft, panel.querySelector("[data-slot=mine]"), labels);
      describe(ind, ind.saved, panel.querySelector("[data-slot=saved]"), labels);
      each(panel.querySelectorAll("[data-slot=code]"), function (s) { s.textContent = " (" + ind.code + ")"; });
      each(panel.querySelectorAll("button[data-choose]"), function (button) {
        button.addEventListener("click", function () {
          var mine = button.getAttribute("data-choose") === "mine";
          if (mine) { put(ind, draft); } else { remove(ind.key); }
          ind.conflict = null;
          remember(ind);  // mine: now based on the colleague's version, so the next save replaces theirs
          var message = done.cloneNode(true);
          message.textContent = done.getAttribute(mine ? "data-done-mine" : "data-done-saved");
          panel.parentNode.replaceChild(message, panel);
          message.focus();
          updateConflictNotice();
          updateCounters();
        });
      });
      var legend = ind.fieldset.querySelector("legend");
      legend.parentNode.insertBefore(panel, legend.nextSibling);
      ind.conflict = panel;
    }

    function unresolved() { return indicators.filter(function (ind) { return ind.conflict; }); }

    function updateConflictNotice() {
      if (!conflictNotice) { return; }
      var open = unresolved();
      conflictNotice.hidden = open.length === 0;
      if (!open.length) { return; }
      var slot = conflictNotice.querySelector("[data-slot=codes]");
      slot.textContent = "";
      open.forEach(function (ind, i) {
        var a = document.createElement("a");
        a.href = "#" + ind.fieldset.id;
        a.textContent = ind.code;
        if (i) { slot.appendChild(document.createTextNode(", ")); }
        slot.appendChild(a);
      });
    }

    // 0. A draft kept by the earlier, per-area version of this page (no user in its key) is taken
    //    over once; unless nothing was saved since, it is treated as started from an older version.
    var legacyKey = formKey(form), legacy = readJSON(legacyKey);
    if (legacy && legacy.data) {
      var legacyBase = legacy.base === form.getAttribute("data-saved-at");
      indicators.forEach(function (ind) {
        var d = legacy.data;
        if (readJSON(ind.key) || !(("note-" + ind.id) in d)) { return; }
        writeJSON(ind.key, { base: legacyBase ? ind.version : "", score: (d["score-" + ind.id] || [])[0] || "",
                             evidence: d["evidence-" + ind.id] || [], note: d["note-" + ind.id] || "" });
      });
      remove(legacyKey);
    }
    // 1. The server confirmed a save: drafts started before it are in the saved answers.
    indicators.forEach(function (ind) {
      var draft = readJSON(ind.key);
      if (draft && ind.id in confirmed && Number(draft.base) < Number(confirmed[ind.id])) { remove(ind.key); }
    });
    // 2. Restore, or let the user choose where a colleague saved the same indicator meanwhile.
    var restored = false;
    indicators.forEach(function (ind) {
      var draft = readJSON(ind.key);
      if (!draft) { return; }
      if (sameAnswer(draft, ind.saved)) { remove(ind.key); return; }         // nothing would be lost
      if (sameAnswer(draft, current(ind))) { remember(ind); return; }         // the page shows it already
      if (String(draft.base) === ind.version) { put(ind, draft); restored = true; return; }
      showConflict(ind, draft);
    });
    if (restored && restoreNotice) { restoreNotice.hidden = false; }
    updateConflictNotice();

    form.addEventListener("input", onChange);
    form.addEventListener("change", onChange);
    function onChange(ev) {
      var fs = ev.target.closest && ev.target.closest("fieldset[data-indicator]");
      var ind = fs && indicators.filter(function (i) { return i.fieldset === fs; })[0];
      if (ind && !ind.conflict) { remember(ind); }  // an unchosen conflict keeps the stored answer
      updateCounters();
    }

    form.addEventListener("submit", function (ev) {
      var open = unresolved();
      if (open.length) {
        ev.preventDefault();
        var blocked = conflictNotice && conflictNotice.querySelector("[data-slot=blocked]");
        if (blocked) { blocked.hidden = false; }
        open[0].conflict.querySelector("button").focus();
        return;
      }
      leaving = true;
    });

    dirtyChecks.push(function () {
      return indicators.some(function (ind) { return ind.conflict || !sameAnswer(current(ind), ind.saved); });
    });

    var answered = document.getElementById("answered-count");
    var answeredTexts = answered ? JSON.parse(answered.getAttribute("data-texts") || "[]") : [];
    function updateCounters() {
      if (answered) {
        var n = indicators.filter(function (ind) { return current(ind).score !== ""; }).length;
        if (answeredTexts[n]) { answered.textContent = answeredTexts[n]; }
      }
    }
    updateCounters();
  }

  /* -- character counters of notes ---------------------------------------------------------------- */

  function setupCharCount(counter) {
    var field = document.getElementById(counter.getAttribute("data-char-count"));
    var live = document.querySelector("[data-char-count-live='" + counter.getAttribute("data-char-count") + "']");
    var max = Number(counter.getAttribute("data-max"));
    var timer = null;
    if (!field || field.readOnly) { return; }
    function text() {
      var n = charCount(field.value.replace(/\r\n?/g, "\n"));
      var over = n > max;
      counter.classList.toggle("over", over);
      if (over) { field.setAttribute("aria-invalid", "true"); }
      else if (!field.closest(".has-error")) { field.removeAttribute("aria-invalid"); }
      return fill(counter.getAttribute(over ? "data-over-text" : "data-text"), { count: n, max: max, over: n - max });
    }
    function update() {
      counter.textContent = text();
      // Screen readers hear the count once typing pauses, not at every key.
      if (live) {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { live.textContent = counter.textContent; }, 1000);
      }
    }
    field.addEventListener("input", update);
    counter.textContent = text();
  }

  /* -- leaving the page, logging out ------------------------------------------------------------- */

  function hasUnsavedChanges() { return dirtyChecks.some(function (check) { return check(); }); }

  window.addEventListener("pageshow", function (ev) { if (ev.persisted) { leaving = false; } });  // back again

  window.addEventListener("beforeunload", function (ev) {
    if (leaving || !hasUnsavedChanges()) { return undefined; }
    ev.preventDefault();
    ev.returnValue = "";  // the browser shows its own question
    return "";
  });

  function clearAllDrafts() {
    var s = storage();
    if (!s) { return; }
    try {
      var keys = [];
      for (var i = 0; i < s.length; i++) { if (s.key(i).indexOf(PREFIX) === 0) { keys.push(s.key(i)); } }
      keys.forEach(function (k) { s.removeItem(k); });
    } catch (e) {}
  }

  function setupLogout(form) {
    form.addEventListener("submit", function (ev) {
      if (hasUnsavedChanges() && !window.confirm(form.getAttribute("data-unsaved-confirm"))) {
        ev.preventDefault();
        return;
      }
      leaving = true;
      clearAllDrafts();  // a shared computer: the next person must not find this person's answers
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    clearConfirmedFormDraft();
    each(document.querySelectorAll("form[data-keep-draft]"), function (form) {
      if (form.getAttribute("data-draft-mode") === "indicator") { setupIndicatorDrafts(form); }
      else { setupFormDraft(form); }
    });
    each(document.querySelectorAll("[data-char-count]"), setupCharCount);
    each(document.querySelectorAll("form[data-logout]"), setupLogout);
    each(document.querySelectorAll("[data-confirm]"), function (el) {
      el.addEventListener("click", function (ev) { if (!window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); } });
    });
  });
})();
