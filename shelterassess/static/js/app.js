/* Keeps what is typed into a form marked data-keep-draft in this browser
 * (localStorage) until the server confirms the save, so nothing is lost when a
 * session times out or the connection drops. No framework, no network calls. */
(function () {
  "use strict";
  function storageKey(form) { return "shelterassess:draft:" + form.getAttribute("data-keep-draft"); }

  function snapshot(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "hidden" || el.type === "submit") { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        if (!(el.name in data)) { data[el.name] = []; }
        if (el.checked) { data[el.name].push(el.value); }
      } else { data[el.name] = el.value; }
    });
    return data;
  }

  function restore(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in data) || el.type === "hidden") { return; }
      if (el.type === "radio" || el.type === "checkbox") { el.checked = data[el.name].indexOf(el.value) !== -1; }
      else { el.value = data[el.name]; }
    });
  }

  function setup(form) {
    var key = storageKey(form);
    var savedAt = form.getAttribute("data-saved-at") || "";
    var notice = document.getElementById(form.getAttribute("data-restore-notice"));
    try {
      var stored = JSON.parse(window.localStorage.getItem(key) || "null");
      if (stored && stored.base === savedAt && stored.data) {
        restore(form, stored.data);
        if (notice) { notice.hidden = false; }
      } else if (stored) { window.localStorage.removeItem(key); }
    } catch (e) { /* storage unavailable: the server copy is still there */ }
    form.addEventListener("input", function () {
      try { window.localStorage.setItem(key, JSON.stringify({ base: savedAt, data: snapshot(form) })); } catch (e) {}
    });
  }

  function clearConfirmed() {
    var marker = document.querySelector("[data-draft-saved]");
    if (!marker) { return; }
    try { window.localStorage.removeItem("shelterassess:draft:" + marker.getAttribute("data-draft-saved")); } catch (e) {}
  }

  document.addEventListener("DOMContentLoaded", function () {
    clearConfirmed();
    Array.prototype.forEach.call(document.querySelectorAll("form[data-keep-draft]"), setup);
    Array.prototype.forEach.call(document.querySelectorAll("[data-confirm]"), function (el) {
      el.addEventListener("click", function (ev) { if (!window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); } });
    });
  });
})();
