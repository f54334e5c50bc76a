// What an office form needs beyond the browser's own handling.
// 1. Nothing typed is lost when the session has ended: a form is kept (in this tab's
//    sessionStorage, never on the server) as it is sent; when the server answers with the
//    log-in page (the session had ended) or refuses the form's expired token, the page the form
//    came from fills it in again after the log-in, and says it is not saved yet. Passwords and
//    files are never kept. Any other page drops the copy: the form was saved or left.
// 2. The server's Greek messages, not the browser's (in the browser's language): the browser's
//    own checks are off where this script runs; the server checks every field anyway.
// 3. After a refused form, the first field in error has the focus; a page the server sends
//    back to after refusing its form («?refill=1», the page says why) has it filled in again.
(function () {
  "use strict";
  var KEY = "kinito-form";
  var DAY = 24 * 60 * 60 * 1000;
  var body = document.body;
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }

  function read() {
    if (!store) { return null; }
    try { return JSON.parse(store.getItem(KEY) || "null"); } catch (e) { return null; }
  }

  function kept(el) {
    var type = (el.type || "").toLowerCase();
    return el.name && el.name !== "csrf_token" && !el.disabled &&
      ["password", "file", "submit", "button", "reset", "image"].indexOf(type) < 0;
  }

  function bare(url) {  // a form's address without its query («?refill=1» after a refusal)
    return String(url || "").split("?")[0].split("#")[0];
  }

  function fill(form, fields) {
    var byName = {};
    fields.forEach(function (f) { (byName[f.name] = byName[f.name] || []).push(f); });
    Array.prototype.forEach.call(form.elements, function (el) {
      var saved = kept(el) && byName[el.name];
      if (!saved) { return; }
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        el.checked = saved.some(function (f) { return f.value === el.value && f.checked; });
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = saved.some(function (f) { return f.value === o.value; });
        });
      } else if (saved.length) {
        el.value = saved.shift().value;
      }
    });
  }

  var draft = read();
  var page = body && body.dataset.page;
  if (page === "login" || page === "form-refused") {
    // the form was not saved: keep it for its own page, until the log-in takes the user there
    if (draft && store && (body.dataset.unsaved || page === "form-refused")) {
      draft.pending = true;
      store.setItem(KEY, JSON.stringify(draft));
    }
  } else if (draft && store) {
    store.removeItem(KEY);
    // refused by the server, back on its page (which says why): what was chosen, chosen again
    var refill = body.dataset.refill && Date.now() - draft.at < 10 * 60 * 1000;
    // only for the one who typed it: on a shared office computer, a colleague logging in next is
    // not handed someone else's unsaved form (and the audit log their change)
    var same = draft.user && draft.user === body.dataset.user;
    if (same && (draft.pending || refill) && draft.path === location.pathname && Date.now() - draft.at < DAY) {
      var form = Array.prototype.find.call(document.forms, function (f) {
        return bare(f.action) === bare(draft.action) && f.method.toLowerCase() === "post";
      });
      if (form) {
        fill(form, draft.fields || []);
        if (draft.pending) {
          var note = document.createElement("p");
          note.className = "flash info";
          note.setAttribute("role", "status");
          note.textContent = body.dataset.formRestored || "";
          form.parentNode.insertBefore(note, form);
        }
      }
    }
  }

  if (page !== "login") {
    document.addEventListener("submit", function (e) {
      var form = e.target;
      if (!store || !form || form.method.toLowerCase() !== "post" || "noDraft" in form.dataset) { return; }
      var fields = [];
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!kept(el)) { return; }
        var type = (el.type || "").toLowerCase();
        if (type === "checkbox" || type === "radio") {
          fields.push({ name: el.name, value: el.value, checked: el.checked });
        } else if (el.tagName === "SELECT" && el.multiple) {
          Array.prototype.forEach.call(el.selectedOptions, function (o) {
            fields.push({ name: el.name, value: o.value });
          });
        } else {
          fields.push({ name: el.name, value: el.value });
        }
      });
      try {
        store.setItem(KEY, JSON.stringify({ path: location.pathname, action: form.action, at: Date.now(),
                                            user: body.dataset.user || "", fields: fields }));
      } catch (err) { /* storage full: the browser's Back still has it */ }
    }, true);
  }

  Array.prototype.forEach.call(document.forms, function (f) { f.noValidate = true; });
  var wrong = document.querySelector("[aria-invalid='true']");
  if (wrong && typeof wrong.focus === "function") { wrong.focus(); }
})();
