// The planning desk's progress page: polls the job's JSON once a second until it ends, then
// goes to the plan. No inline script (the CSP allows scripts from this server only).
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box) { return; }
  var state = document.getElementById("p-state");
  function show(job) {
    // a decimal comma in Greek, as the page's other numbers
    var elapsed = job.elapsed.toFixed(1);
    document.getElementById("p-elapsed").textContent =
      document.documentElement.lang === "el" ? elapsed.replace(".", ",") : elapsed;
    // nothing counted yet while the week is read: a dash, not «0 / 0»
    document.getElementById("p-served").textContent = job.wanted ? job.served : "–";
    document.getElementById("p-wanted").textContent = job.wanted ? job.wanted : "–";
    // a run that keeps the days gone by counts only the days planned again while it searches;
    // its stored version counts the whole week
    var label = document.getElementById("p-served-label");
    if (label) { label.textContent = job.counts_part ? label.dataset.part : label.dataset.whole; }
    document.getElementById("p-bar").value = Math.min(job.elapsed, job.time_limit);
    box.dataset.state = job.state;
    box.dataset.stage = job.stage;
    if (job.state === "running") {
      state.textContent = job.stage === "compile" ? state.dataset.compiling
        : job.stage === "prepare" ? state.dataset.preparing
        // the search is over and the visits left out are being explained (at scale, seconds)
        : job.stage === "explain" ? state.dataset.explaining.replace("{n}", String(job.unassigned))
        // the search's time is up: the plan is checked, explained and stored
        : job.elapsed >= job.time_limit ? state.dataset.finishing : state.dataset.running;
    }
    if (job.state === "done") {
      state.textContent = state.dataset.done;
      var link = document.getElementById("result-link");
      link.href = job.result_url;
      document.getElementById("p-result").hidden = false;
      // replace, not assign: the finished run's page leaves the history, so Back from the plan
      // goes to the page before it (the Adjust form, the desk), not to this page sending forward
      window.location.replace(job.result_url);
      return false;
    }
    if (job.state !== "running") {
      document.getElementById("cancel-form").hidden = true;
      // nothing goes on any more: not «you can close this page, the planning goes on»
      document.getElementById("p-hint").hidden = true;
    }
    if (job.state === "cancelled") {
      state.textContent = state.dataset.cancelled;
      return false;
    }
    if (job.state === "failed") {
      state.textContent = state.dataset.failedLabel;
      var err = document.getElementById("p-error");
      err.textContent = box.dataset.failed + " " + (job.error || "");
      err.hidden = false;
      return false;
    }
    return true;
  }
  var misses = 0;
  function poll() {
    fetch(box.dataset.url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (job) { misses = 0; if (show(job)) { window.setTimeout(poll, 1000); } })
      .catch(function () {
        // the server gone, the job unknown after a restart, an answer it cannot read: a few
        // tries, then the page says so instead of polling for ever
        misses += 1;
        if (misses < 10) { window.setTimeout(poll, 3000); return; }
        var err = document.getElementById("p-error");
        err.textContent = box.dataset.lost;
        err.hidden = false;
      });
  }
  poll();
})();

// Adjust's urgent visit: a search box over the list of people (1,500 at scale). Without this
// script the box stays hidden and the list is a plain one; the form sends the list's value.
(function () {
  "use strict";
  var box = document.getElementById("urgent_filter");
  var list = document.getElementById("urgent_beneficiary");
  if (!box || !list) { return; }
  var none = document.getElementById("urgent_filter_none");
  var blank = list.options[0];
  var people = Array.prototype.slice.call(list.options, 1);
  // accentless and case-folded, as the register's search: «Λιάπης» finds «ΛΙΑΠΗΣ» and «λιαπης»
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/ς/g, "σ");
  }
  var texts = people.map(function (o) { return fold(o.textContent); });
  // the server's key has the Greek in Latin letters too («liapis»)
  var keys = people.map(function (o) { return o.getAttribute("data-key") || ""; });
  function filter() {
    var words = fold(box.value).split(/\s+/).filter(Boolean);
    var chosen = list.value;
    var kept = people.filter(function (o, i) {
      return words.every(function (w) { return texts[i].indexOf(w) >= 0 || keys[i].indexOf(w) >= 0; });
    });
    // the options taken out, not hidden: an iPad's picker shows hidden options all the same
    list.options.length = 0;
    list.appendChild(blank);
    kept.forEach(function (o) { list.appendChild(o); });
    // the person chosen stays chosen while they match; one match alone is chosen
    if (kept.some(function (o) { return o.value === chosen; })) {
      list.value = chosen;
    } else {
      list.value = kept.length === 1 ? kept[0].value : "";
    }
    if (none) { none.hidden = kept.length > 0; }
  }
  box.hidden = false;
  box.addEventListener("input", filter);
  // Enter in the box would send the form (and re-optimise): it only searches
  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); filter(); }
  });
})();
