// The driver's tablet: today's route, outcomes queued on the device and sent when there is
// signal. Never lost (the queue lives in localStorage until the server has stored each item),
// never recorded twice (each outcome carries a UUID, client_ref; the server is idempotent).
// Two tabs of one tablet share what is stored: every change reads the stored marks and queue
// afresh and writes them back, and each tab redraws when another changes them (`storage`).
(function () {
  "use strict";
  var root = document.getElementById("driver");
  if (!root) { return; }
  var T = JSON.parse(document.getElementById("driver-i18n").textContent);
  var urls = {
    data: root.dataset.dataUrl, post: root.dataset.postUrl, token: root.dataset.tokenUrl,
    sw: root.dataset.swUrl
  };
  var user = root.dataset.user || "";
  var KEY_QUEUE = "kinito.driver.queue." + user;
  var KEY_REJECTED = "kinito.driver.rejected." + user;
  var KEY_ROUTE = "kinito.driver.route." + user;
  var KEY_MARKS = "kinito.driver.marks." + user;
  var KEY_OFF_ROUTE = "kinito.driver.offroute." + user;
  var KEY_NOTES = "kinito.driver.notes." + user;  // sessionStorage: notes typed, not yet recorded

  var route = null;      // today's route document (today.json)
  var routeSig = "";     // that document as it came (csrf aside): a refetch redraws only on a change
  var marks = {};        // visit_id -> {status, time}: what this tablet recorded (arrived too)
  var notes = {};        // visit_id -> a note typed and not yet recorded: kept across redraws
  var map = null, layers = null, fitted = null, pins = [];
  var sending = false;
  var fetching = false;  // the route is being fetched
  var checked = null;    // {office, tablet}: the office's day and the tablet's, at the last fetch with signal
  var signedOut = false; // the office answered that the session has ended (the kept route is shown)
  var reopened = {};     // visit_id -> true: a recorded stop the driver is changing (a mis-tap, a second try)
  // the tablet has a link but the office did not answer (a weak signal, a gateway's error):
  // the route shown is the kept copy, and the header must not say «Με σύνδεση»
  var unreachable = false;
  var scrolledByUser = false;  // the driver scrolled since the page opened: the route is not scrolled for him
  var KEEP_ALIVE_MS = 10 * 60 * 1000;
  var REFRESH_MS = 5 * 60 * 1000;      // with signal, the route is fetched again this often
  var RETRY_MS = 5 * 1000;             // ... this soon after the signal returns (the queue goes
                                       // first), and once more this soon when that found none
  var FETCH_TIMEOUT_MS = 20 * 1000;    // a request with no answer by then is given up (tried again later)
  var REJECTED_DAYS = 14;              // refused outcomes are listed this many days, unless dismissed

  // --- storage ------------------------------------------------------------------------------
  function load(key, fallback) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) { return fallback; }
  }
  function save(key, value) { window.localStorage.setItem(key, JSON.stringify(value)); }
  function queue() { return load(KEY_QUEUE, []); }
  // the marks as stored now (another tab may have recorded since this one drew), for the route's day
  function storedMarks() {
    var kept = load(KEY_MARKS, null);
    return kept && route && kept.date === route.date && kept.marks ? kept.marks : {};
  }
  function saveNotes() {
    try {
      window.sessionStorage.setItem(KEY_NOTES, JSON.stringify({ date: route ? route.date : null, notes: notes }));
    } catch (e) { /* kept in memory only */ }
  }
  function loadNotes() {
    var kept = null;
    try { kept = JSON.parse(window.sessionStorage.getItem(KEY_NOTES) || "null"); } catch (e) { kept = null; }
    return kept && route && kept.date === route.date && kept.notes ? kept.notes : {};
  }
  function keepNote(visitId, text) {
    if (text) { notes[visitId] = text; } else { delete notes[visitId]; }
    saveNotes();
  }

  // every request gives up after FETCH_TIMEOUT_MS (the answer's body included): a request that
  // never answers on a weak signal must not hold the queue back until the page is reloaded
  function request(url, options) {
    var opts = options || {};
    var controller = typeof window.AbortController === "function" ? new window.AbortController() : null;
    if (controller) { opts.signal = controller.signal; }
    return new Promise(function (resolve, reject) {
      window.setTimeout(function () {
        if (controller) { controller.abort(); }
        reject(new Error("timeout"));
      }, FETCH_TIMEOUT_MS);
      fetch(url, opts).then(resolve, reject);
    });
  }

  // a request that got no answer from the office (it threw, or timed out): the office is not
  // reached, whatever navigator.onLine says; an answer of the office's own (an "http" error
  // thrown after one) says nothing more here
  function noAnswer(e) {
    if (!e || !/^(login|later|http )/.test(e.message || "")) { unreachable = true; }
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // this tablet's mark, kept for good and put in front of each outcome's UUID: the office
  // tells two tablets that disagree about a stop (webui.driver.field_conflicts) from one
  // tablet whose driver changed an outcome («Αλλαγή»), even under one driver's account
  function device() {
    var key = "kinito.driver.device";
    var mark = window.localStorage.getItem(key);
    if (!mark || !/^[0-9a-f]{8}$/.test(mark)) {
      mark = uuid().replace(/-/g, "").slice(0, 8);
      window.localStorage.setItem(key, mark);
    }
    return mark;
  }
  function outcomeRef() { return "d" + device() + "-" + uuid(); }

  // --- time ---------------------------------------------------------------------------------
  // seconds dropped, as the server's "planned" (planner.render.hhmm) and the route sheet do:
  // rounding here would show a stop planned at 08:50:40 as expected at 08:51, a delay that is not
  function hhmm(seconds) {
    var m = Math.floor(seconds / 60);
    var h = Math.floor(m / 60) % 24;
    m = m % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }
  // The day and the time of day in Athens, whatever time zone the tablet is set to (one left
  // on UTC recorded 10:10 as 08:10); the device's own zone only where Intl has no time zones.
  var ATHENS = (function () {
    try {
      return new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Athens", year: "numeric", month: "2-digit",
        day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    } catch (e) { return null; }
  })();
  function athens(d) {
    var out = {};
    ATHENS.formatToParts(d).forEach(function (p) { out[p.type] = p.value; });
    return out;
  }
  function textNode(text) {  // Leaflet takes a string as HTML: names go in as text
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }
  function nowHHMM() {
    var d = new Date();
    if (ATHENS) { var p = athens(d); return p.hour + ":" + p.minute; }
    var h = d.getHours(), m = d.getMinutes();
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }
  function isoDay(d) {  // the date in Athens, YYYY-MM-DD
    if (ATHENS) { var p = athens(d); return p.year + "-" + p.month + "-" + p.day; }
    var m = d.getMonth() + 1, day = d.getDate();
    return d.getFullYear() + "-" + (m < 10 ? "0" : "") + m + "-" + (day < 10 ? "0" : "") + day;
  }
  function dayLabel(iso, short) {
    try {
      return new Date(iso + "T12:00:00").toLocaleDateString(document.documentElement.lang || undefined,
        short ? { weekday: "short", day: "numeric", month: "numeric" }
              : { weekday: "long", day: "numeric", month: "long", year: "numeric" });
    } catch (e) { return iso; }
  }
  function daysBetween(from, to) {  // two ISO dates
    return Math.round((Date.parse(to + "T12:00:00Z") - Date.parse(from + "T12:00:00Z")) / 86400000);
  }
  // a route kept from another day (the tablet reopened offline the next morning), or a tablet
  // whose clock says another day: shown with a warning, and nothing is recorded on it
  function stale() { return !!(route && route.date && route.date !== isoDay(new Date())); }
  // what the warning says about it: nothing (today's route), "loading" (with signal, today's
  // route is being fetched, or will be in a moment), "clock" (the office answered just now with another day than the
  // tablet's: its date is wrong), "stale" (a route kept from another day: connect to load today's)
  function dayState() {
    if (!stale()) { return ""; }
    if (signedOut) { return "login"; }  // with signal, but today's route needs a log-in first
    if ((fetching || retry !== null) && navigator.onLine) { return "loading"; }  // (or about to)
    var today = isoDay(new Date());
    if (checked && checked.tablet === today && checked.office !== today) { return "clock"; }
    return "stale";
  }
  function seconds(text) {
    var p = String(text).split(":");
    return parseInt(p[0], 10) * 3600 + parseInt(p[1], 10) * 60;
  }
  // a final outcome closes the stop: the driver's three, and "postponed", the office's
  // (a correction made at the office shows here as the office left it)
  var FINAL = { done: true, not_at_home: true, cancelled: true, postponed: true };
  // what the driver may record at a stop: the server's list (s.choices); for a route kept
  // from before it sent one, by kind: nobody is "not at home" at a village stop
  var CHOICES = { village_stop: ["done", "cancelled"] };
  var DEFAULT_CHOICES = ["done", "not_at_home", "cancelled"];

  // the later of the office's record (route.outcomes, as loaded or as sent from here: it may
  // have been corrected there) and this tablet's own mark, as the office counts a visit's
  // outcomes (the last one); this tablet's mark counts until the office has one
  function markOf(visitId) {
    var mine = marks[visitId];
    var stored = route && route.outcomes ? route.outcomes[visitId] : null;
    // on the same minute the office's wins (a correction at the office keeps the time), unless
    // the driver changed the outcome here, after the one the office has
    var mineFinal = !!(mine && FINAL[mine.status]);
    var mineLater = mineFinal && !!stored &&
      (mine.time > stored.time || (mine.time === stored.time && !!mine.changed));
    if (stored && FINAL[stored.status] && !mineLater) { return stored; }
    if (mine && FINAL[mine.status]) { return mine; }
    return mine || stored || null;
  }

  // Expected times with the real progress: a stop starts no earlier than planned (its window),
  // and no earlier than the van can be there: when it was free after the previous stop plus the
  // planned drive (and the break, when the plan has it between them). Waiting time in the plan
  // absorbs a delay; nothing moves earlier than planned.
  function expectedTimes() {
    var out = [];
    var free = route.depart;
    var plannedFree = route.depart;
    route.stops.forEach(function (s, i) {
      var mark = markOf(s.visit_id);
      var brk = route.rest && route.rest.after === i ? route.rest.duration : 0;
      var slack = s.start - plannedFree - s.travel - brk;
      var start = s.start + Math.max(0, (free - plannedFree) - Math.max(0, slack));
      var e = { start: start, end: start + s.service, status: mark ? mark.status : "", time: mark ? mark.time : "" };
      if (mark && mark.status === "postponed") {
        // the office's decision (its time is when it was recorded, not when the van left):
        // the stop is not served today and delays nothing
      } else if (mark && FINAL[mark.status]) {
        e.end = seconds(mark.time);
        if (mark.status === "done") { e.start = Math.min(start, e.end); }
      } else if (mark && mark.status === "arrived") {
        e.start = Math.max(seconds(mark.time), s.start);
        e.end = e.start + s.service;
      }
      out.push(e);
      free = e.end;
      plannedFree = s.end;
    });
    return out;
  }

  // --- drawing ------------------------------------------------------------------------------
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function link(href, cls, text) {
    var a = el("a", cls, text);
    a.href = href;
    a.rel = "noopener";
    return a;
  }

  function drawMap() {
    var box = document.getElementById("route-map");
    if (typeof L === "undefined" || !box) { return; }
    if (!map) {
      map = L.map(box, { zoomControl: false });
      // Leaflet's own titles in the page's language (base.html gives them)
      L.control.zoom({ zoomInTitle: document.documentElement.dataset.zoomIn || "Zoom in",
                       zoomOutTitle: document.documentElement.dataset.zoomOut || "Zoom out" }).addTo(map);
      map.attributionControl.setPrefix("Kinito | Leaflet");
      if (root.dataset.tiles) {
        L.tileLayer(root.dataset.tiles, { attribution: root.dataset.attribution || "", maxZoom: 19 }).addTo(map);
      }
      layers = L.layerGroup().addTo(map);
      map.on("zoomend", spreadPins);
    }
    layers.clearLayers();
    map.invalidateSize();  // its box may have been hidden (a day with no route) until now
    var points = [[route.base.lat, route.base.lon]];
    route.stops.forEach(function (s) { points.push([s.lat, s.lon]); });
    points.push([route.base.lat, route.base.lon]);
    L.polyline(points, { color: "#0b5cad", weight: 5, opacity: 0.85 }).addTo(layers);
    // the markers stay out of the keyboard's way (the list has every stop and its buttons);
    // the base is spread with the stops (it sat hidden under pin 1 when the first stop is near)
    var baseIcon = { className: "stop-pin base-pin", html: "&#8962;", iconSize: [30, 30], iconAnchor: [15, 15] };
    var baseMarker = L.marker([route.base.lat, route.base.lon], { icon: L.divIcon(baseIcon), keyboard: false })
      .bindTooltip(textNode(T.base + ": " + route.base.name)).addTo(layers);
    var next = nextIndex();
    pins = [{ marker: baseMarker, icon: baseIcon }];
    route.stops.forEach(function (s, i) {
      var mark = markOf(s.visit_id);
      var status = mark && FINAL[mark.status] ? mark.status : "";
      var cls = "stop-pin" + (status ? " pin-" + status : "") + (i === next ? " pin-next" : "");
      // not at home, cancelled, postponed: one grey, told apart by a mark (not by colour alone)
      var html = String(s.number) + (PIN_MARKS[status] ? '<span class="pin-mark" aria-hidden="true">' + PIN_MARKS[status] + "</span>" : "");
      var icon = { className: cls, html: html, iconSize: [30, 30], iconAnchor: [15, 15] };
      var marker = L.marker([s.lat, s.lon], {
        icon: L.divIcon(icon),
        title: s.number + ". " + s.name,
        keyboard: false,
        zIndexOffset: i === next ? 1000 : 0  // the next stop on top of any other
      }).addTo(layers);
      // a tap says which stop it is, and brings the stop up in the list
      marker.bindPopup(textNode(s.number + ". " + s.name + (status ? " · " + T[status] : "")));
      marker.on("click", function () {
        var item = document.getElementById("stop-" + s.number);
        if (item && window.matchMedia("(min-width: 901px)").matches) { item.scrollIntoView({ block: "nearest" }); }
        if (item) { item.classList.add("pinned"); window.setTimeout(function () { item.classList.remove("pinned"); }, 2000); }
      });
      pins.push({ marker: marker, icon: icon });
    });
    fitted = L.latLngBounds(points).pad(0.15);
    map.fitBounds(fitted);
    spreadPins();
    box.dataset.ready = "1";
  }

  // Stops at one village (or a few metres apart) would draw their numbers on top of each other,
  // the next stop under a done one: at each zoom, markers closer than a marker's width go round
  // their group's centre on a circle wide enough for all of them (the route sheet's map spreads
  // them too); the line still goes through the true points.
  var PIN = 30;
  var PIN_MARKS = { done: "✓", not_at_home: "?", cancelled: "✕", postponed: "↷" };
  function spreadPins() {
    if (!map || !pins.length) { return; }
    var groups = [];
    pins.forEach(function (p) {
      var at = map.latLngToLayerPoint(p.marker.getLatLng());
      var group = null;
      for (var g = 0; g < groups.length && !group; g++) {
        if (groups[g].points.some(function (q) { return q.distanceTo(at) < PIN; })) { group = groups[g]; }
      }
      if (!group) { group = { pins: [], points: [] }; groups.push(group); }
      group.pins.push(p);
      group.points.push(at);
    });
    groups.forEach(function (group) {
      var n = group.pins.length;
      var cx = 0, cy = 0;
      group.points.forEach(function (q) { cx += q.x / n; cy += q.y / n; });
      var radius = n > 1 ? Math.max(PIN * 0.75, (PIN + 2) / (2 * Math.sin(Math.PI / n))) : 0;
      group.pins.forEach(function (p, k) {
        var angle = -Math.PI / 2 + 2 * Math.PI * k / n;  // the first on top, then clockwise in route order
        var dx = cx + radius * Math.cos(angle) - group.points[k].x;
        var dy = cy + radius * Math.sin(angle) - group.points[k].y;
        var icon = {};
        for (var key in p.icon) { icon[key] = p.icon[key]; }
        icon.iconAnchor = [Math.round(15 - dx), Math.round(15 - dy)];
        p.marker.setIcon(L.divIcon(icon));
      });
    });
  }

  function nextIndex() {
    for (var i = 0; i < route.stops.length; i++) {
      var mark = markOf(route.stops[i].visit_id);
      if (!mark || !FINAL[mark.status]) { return i; }
    }
    return -1;
  }

  // the navigation links to a point (a stop, the base), described by what they lead to
  function navLinks(box, lat, lon, name, describedBy) {
    var ll = lat + "," + lon;
    [
      link("geo:" + ll + "?q=" + ll + "(" + encodeURIComponent(name) + ")", "button big-touch nav-geo", T.navigate),
      link("https://www.google.com/maps/dir/?api=1&travelmode=driving&destination=" + ll, "button big-touch nav-google", T.google),
      link("https://osmand.net/map/navigate/?profile=car&end=" + ll, "button big-touch nav-osmand", T.osmand)
    ].forEach(function (a) {
      if (describedBy) { a.setAttribute("aria-describedby", describedBy); }
      box.appendChild(a);
    });
  }

  function drawStops() {
    var list = document.getElementById("stops");
    // a note being typed keeps its text (notes) and its caret through the redraw
    var active = document.activeElement;
    var typing = active && active.classList && active.classList.contains("stop-note") ? active.dataset.visit : null;
    var caret = typing ? [active.selectionStart, active.selectionEnd] : null;
    list.textContent = "";
    var times = expectedTimes();
    var next = nextIndex();
    route.stops.forEach(function (s, i) {
      var mark = markOf(s.visit_id);
      var li = el("li", "stop");
      li.id = "stop-" + s.number;
      li.dataset.visit = s.visit_id;
      li.dataset.status = mark ? mark.status : "";
      if (i === next) { li.classList.add("next"); }
      var nameId = "stop-name-" + s.number;
      // a heading (focus goes to the next stop's after an outcome; screen readers list them)
      var head = el("h2", "stop-head");
      head.tabIndex = -1;
      head.appendChild(el("span", "stop-number", String(s.number)));
      var when = el("span", "stop-time");
      when.appendChild(el("span", "planned", s.planned));
      var expected = hhmm(times[i].start);
      if (!(mark && FINAL[mark.status]) && times[i].start > s.start && expected !== s.planned) {
        var shifted = el("span", "expected", "→ " + expected);
        shifted.title = T.expected;
        when.appendChild(shifted);
      }
      head.appendChild(when);
      var who = el("span", "stop-name", s.name);
      who.id = nameId;
      head.appendChild(who);
      if (i === next) { head.appendChild(el("span", "next-label", T.next)); }
      li.appendChild(head);

      var changing = !!reopened[s.visit_id];
      if (mark && FINAL[mark.status] && !changing) {
        // a closed stop folds to one line (its navigation out of the way of the next stop's):
        // what was recorded, the note sent with it, and «Αλλαγή»
        li.classList.add("closed");
        var result = el("div", "stop-result result-" + mark.status, T[mark.status] + " · " + T.undo_hint + " " +
          mark.time + (mark.note ? " · «" + mark.note + "»" : ""));
        // the driver's own outcome may be changed (tapped by mistake; not at home, then found
        // later; a note to add): a new outcome, the last one counts; the office's "postponed" only there
        if (!stale() && mark.status !== "postponed") {
          var change = el("button", "button big-touch change-outcome", T.change);
          change.type = "button";
          change.setAttribute("aria-describedby", nameId);
          change.addEventListener("click", function () { reopened[s.visit_id] = true; draw(); });
          result.appendChild(document.createTextNode(" "));
          result.appendChild(change);
        }
        li.appendChild(result);
      } else {
        // the English page: the settlement in Latin letters too (the names are Greek)
        li.appendChild(el("div", "stop-meta", [T[s.kind] || "", s.address, s.place_latin].filter(Boolean).join(" · ")));
        var acts = el("div", "stop-actions");
        navLinks(acts, s.lat, s.lon, s.name, nameId);
        if (s.phone) {
          var call = link("tel:" + s.phone.replace(/[^0-9+]/g, ""), "button big-touch call", T.call + " " + s.phone);
          call.setAttribute("aria-describedby", nameId);
          acts.appendChild(call);
        }
        li.appendChild(acts);
      }
      if ((!mark || !FINAL[mark.status] || changing) && !stale()) {
        // the note first (typed, then the outcome: a note box under the buttons went with
        // the tap), «Έφτασα» on a row of its own, then the outcomes well apart (a mis-tap
        // between «Έφτασα» and «Έγινε» closed the stop)
        var rec = el("div", "stop-record");
        var note = el("input", "stop-note");
        note.type = "text";
        note.placeholder = T.note;
        note.setAttribute("aria-label", T.note);
        note.setAttribute("aria-describedby", nameId);
        note.maxLength = 1000;
        note.dataset.visit = s.visit_id;
        // changing a recorded stop: its note to add to or correct
        note.value = notes[s.visit_id] !== undefined ? notes[s.visit_id] : (changing && mark.note ? mark.note : "");
        note.addEventListener("input", function () { keepNote(s.visit_id, note.value); });
        if (changing) {
          rec.appendChild(el("span", "changing", T.changing.replace("{status}", T[mark.status] || mark.status).replace("{time}", mark.time)));
        }
        rec.appendChild(note);
        if (!changing) {
          var arrive = el("div", "stop-arrive");
          if (mark && mark.status === "arrived") {
            arrive.appendChild(el("span", "arrived-at", T.arrived_at + " " + mark.time));
          } else {
            arrive.appendChild(button("arrived", s, note, nameId));
          }
          rec.appendChild(arrive);
        }
        var outs = el("div", "stop-outcomes");
        (s.choices || CHOICES[s.kind] || DEFAULT_CHOICES).forEach(function (status) {
          if (!(changing && mark && status === mark.status)) { outs.appendChild(button(status, s, note, nameId)); }
        });
        if (changing) {
          // the same outcome again, at the time now and with the note (it ended later than
          // tapped; a note forgotten): the last one counts
          var again = button(mark.status, s, note, nameId);
          again.textContent = T.again;
          again.classList.add("record-again");
          outs.appendChild(again);
          var keep = el("button", "button big-touch keep-outcome", T.keep);
          keep.type = "button";
          keep.setAttribute("aria-describedby", nameId);
          keep.addEventListener("click", function () { delete reopened[s.visit_id]; keepNote(s.visit_id, ""); draw(); });
          outs.appendChild(keep);
        }
        rec.appendChild(outs);
        li.appendChild(rec);
      }
      // the break in its place: after the stop it follows (before the first, when it comes first)
      if (route.rest && route.rest.after === i + 1) {
        li.appendChild(el("div", "stop-break", breakText() + " · " + T.break_after));
      } else if (route.rest && route.rest.after === 0 && i === 0) {
        li.insertBefore(el("div", "stop-break", breakText() + " · " + T.break_before), li.firstChild);
      }
      list.appendChild(li);
    });
    drawDayEnd(times, next);
    if (typing) {
      var back = list.querySelector(".stop-note[data-visit='" + typing.replace(/[^A-Za-z0-9_-]/g, "") + "']");
      if (back) {
        back.focus();
        try { back.setSelectionRange(caret[0], caret[1]); } catch (e) { /* not a text field */ }
      }
    }
  }

  // When the van is due back: free after the last stop as the stops run (expectedTimes), the
  // break when it comes last, and the drive home. The plan's own time when nothing is late.
  function expectedReturn(times) {
    if (!times.length) { return route.arrive; }
    var last = times[times.length - 1].end;
    var brk = route.rest && route.rest.after === route.stops.length ? route.rest.duration : 0;
    return Math.max(route.arrive, last + brk + (route.return_travel || 0));
  }

  // the day's last entry: back to the base, with the way there (the next "stop" once the
  // stops are all closed)
  function drawDayEnd(times, next) {
    var box = document.getElementById("day-end");
    if (!box) { return; }  // a page kept from before this entry existed
    box.textContent = "";
    box.hidden = false;
    box.classList.toggle("next", next < 0);
    var head = el("h2", "stop-head");
    head.tabIndex = -1;
    head.appendChild(el("span", "stop-number", "⌂"));
    var when = el("span", "stop-time");
    when.appendChild(el("span", "planned", hhmm(route.arrive)));
    var back = expectedReturn(times);
    if (hhmm(back) !== hhmm(route.arrive)) {
      var shifted = el("span", "expected", "→ " + hhmm(back));
      shifted.title = T.expected;
      when.appendChild(shifted);
    }
    head.appendChild(when);
    var name = el("span", "stop-name", T.back + " · " + route.base.name);
    name.id = "day-end-name";
    head.appendChild(name);
    if (next < 0) { head.appendChild(el("span", "next-label", T.next)); }
    box.appendChild(head);
    var acts = el("div", "stop-actions");
    navLinks(acts, route.base.lat, route.base.lon, route.base.name, "day-end-name");
    box.appendChild(acts);
  }

  // the next stop (the way back once all are closed) on screen, its buttons in reach: at load
  // (not when the driver has scrolled already) and after an outcome, focus on its heading then
  function showNext(focus) {
    var target = document.querySelector("#stops > li.next") || document.querySelector("#day-end.next");
    if (!target) { return; }
    var head = target.querySelector(".stop-head");
    if (focus && head) {
      try { head.focus({ preventScroll: true }); } catch (e) { head.focus(); }
    }
    // no further than needed (the map above stays in view when the stop fits under it)
    target.scrollIntoView({ block: "nearest" });
  }

  // The day's frame as planned: leave the base, the break, back at the base (the route
  // sheet's heading has them; the legal break must be where the driver sees it)
  function breakText() {
    var r = route.rest;
    return T.break_label + " " + hhmm(r.start) + "–" + hhmm(r.start + r.duration);
  }
  function drawFrame(has) {
    var box = document.getElementById("day-times");
    if (!box) { return; }
    box.textContent = "";
    box.hidden = !has;
    if (!has) { return; }
    box.appendChild(el("span", "day-depart", T.depart + " " + hhmm(route.depart) + " · " + route.base.name));
    if (route.rest) { box.appendChild(el("span", "day-break", breakText())); }
    // back at the base as the day runs (stop 1 an hour late: an hour later), the plan's time beside
    var back = expectedReturn(expectedTimes());
    box.appendChild(el("span", "day-return", T.back + " " + hhmm(route.arrive) +
      (hhmm(back) !== hhmm(route.arrive) ? " → " + hhmm(back) : "")));
  }

  function button(status, stop, note, describedBy) {
    var b = el("button", "big-touch mark mark-" + status, T[status]);
    b.type = "button";
    b.dataset.status = status;
    if (describedBy) { b.setAttribute("aria-describedby", describedBy); }
    b.addEventListener("click", function () { record(stop, status, note.value); });
    return b;
  }

  function drawBadge() {
    var n = queue().length;
    var badge = document.getElementById("queue-badge");
    badge.dataset.count = String(n);
    badge.hidden = n === 0;
    badge.textContent = (n === 1 ? T.waiting_one : T.waiting_many).replace("{n}", String(n));
    var net = document.getElementById("net");
    var state = !navigator.onLine ? "offline" : (unreachable ? "unreachable" : "online");
    net.dataset.state = state;
    // "the route is kept" only when there is one (a day without a route says offline alone)
    var kept = !!(route && route.stops);
    net.textContent = state === "online" ? T.online
      : state === "unreachable" ? (kept ? T.unreachable : T.unreachable_plain)
      : (kept ? T.offline : T.offline_plain);
    var rejected = rejectedList();
    var box = document.getElementById("rejected");
    box.hidden = rejected.length === 0;
    box.textContent = "";
    if (rejected.length) {
      box.appendChild(el("li", "", T.rejected));
      rejected.forEach(function (r) { box.appendChild(el("li", "rejected-item", rejectedText(r))); });
      var seen = el("button", "big-touch dismiss-rejected", T.dismiss);
      seen.type = "button";
      seen.addEventListener("click", function () { window.localStorage.removeItem(KEY_REJECTED); drawBadge(); });
      var last = el("li", "");
      last.appendChild(seen);
      box.appendChild(last);
    }
    // stored, but the route published since no longer has the visit that day: said, not hidden
    var moved = load(KEY_OFF_ROUTE, []).filter(function (r) { return !route || r.date === route.date; });
    var off = document.getElementById("off-route");
    if (!off) { return; }  // a page kept from before this notice existed
    off.hidden = moved.length === 0;
    off.textContent = "";
    if (moved.length) {
      off.appendChild(el("li", "", T.off_route));
      moved.forEach(function (r) {
        var office = r.conflict ? " (" + T.office_recorded + " " + (T[r.conflict] || r.conflict) + ")" : "";
        off.appendChild(el("li", "", r.visit_name + ": " + T[r.status] + " " + r.time + office));
      });
    }
  }

  function drawDay() {
    var warning = document.getElementById("stale-route");
    var old = stale();
    var state = dayState();
    warning.hidden = !old;
    root.dataset.stale = old ? "1" : "";
    root.dataset.day = state;
    if (route && route.date) {
      document.getElementById("route-date").textContent = route.date_label || dayLabel(route.date);
    }
    document.getElementById("route-label").textContent = old ? T.route_of : T.today;
    warning.classList.toggle("error", state !== "loading");
    if (state === "loading") {  // not "connect to the network": it is connected, and loading
      warning.textContent = T.loading;
    } else if (state === "login") {
      warning.textContent = T.login_today.replace("{route}", route.date_label || dayLabel(route.date));
    } else if (state === "clock") {
      warning.textContent = T.check_date.replace("{office}", dayLabel(checked.office))
        .replace("{today}", dayLabel(isoDay(new Date())));
    } else if (old) {
      warning.textContent = T.stale.replace("{route}", route.date_label || dayLabel(route.date))
        .replace("{today}", dayLabel(isoDay(new Date())));
    }
  }
  // the day's state changed (midnight, a fetch begun or done): drawn again, buttons and all
  function redrawIfDayChanged() {
    if (route && (root.dataset.day || "") !== dayState()) { draw(); }
  }

  // the outcomes the office refused, for the driver to tell it: day, time, stop, outcome, note
  // and the reason; each is listed REJECTED_DAYS days from its refusal, or until dismissed
  function rejectedList() {
    var all = load(KEY_REJECTED, []);
    var today = isoDay(new Date());
    var recent = all.filter(function (r) { return daysBetween(r.rejected_at || r.date || today, today) <= REJECTED_DAYS; });
    if (recent.length !== all.length) { save(KEY_REJECTED, recent); }
    return recent;
  }
  function rejectedText(r) {
    return (r.date ? dayLabel(r.date, true) + " " : "") + r.time + " · " + r.visit_name + ": " + (T[r.status] || r.status) +
      (r.note ? " · «" + r.note + "»" : "") + " (" + r.error + ")";
  }

  function draw() {
    drawDay();
    if (route && route.unit) {  // the office may have moved the account to another unit since the page was built
      document.getElementById("route-unit").textContent = route.unit;
    }
    var has = !!(route && route.stops);
    document.getElementById("no-route").hidden = has;
    // no route: no empty map box, and no stops left from a route since withdrawn
    document.querySelector(".driver-body").hidden = !has;
    drawFrame(has);
    if (has) {
      drawStops();
      drawMap();
    }
    drawBadge();
  }

  // --- recording and sending ----------------------------------------------------------------
  function record(stop, status, note) {
    if (stale()) { draw(); return; }  // never dated with another day's route
    // read, change, write: another tab of this tablet may have recorded since this one drew;
    // a stop it closed is not recorded again (with another status, or twice)
    marks = storedMarks();
    var was = markOf(stop.visit_id);
    var changing = !!reopened[stop.visit_id];
    delete reopened[stop.visit_id];
    // changing, the same outcome may be recorded again: at the time now, with the note
    if (was && FINAL[was.status] && (!changing || status === "arrived")) { draw(); return; }
    var time = nowHHMM();
    marks[stop.visit_id] = { status: status, time: time, note: note || "" };
    if (changing) { marks[stop.visit_id].changed = true; }
    save(KEY_MARKS, { date: route.date, version: route.plan_version_id, marks: marks });
    if (status !== "arrived") {
      keepNote(stop.visit_id, "");  // recorded with the outcome: nothing left to keep
      var q = queue();
      q.push({
        client_ref: outcomeRef(), visit_id: stop.visit_id, visit_name: stop.name, status: status,
        note: note || "", time: time, date: route.date, plan_version_id: route.plan_version_id,
        // the same outcome recorded anew («The same again, at the time now»): its time counts
        again: !!(changing && was && was.status === status),
        unit_id: route.unit_id
      });
      save(KEY_QUEUE, q);
    }
    draw();
    if (FINAL[status]) { showNext(true); }
    send();
  }

  function send() {
    if (sending || queue().length === 0) { drawBadge(); return; }
    sending = true;
    request(urls.token, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { throw new Error("login"); }
        if (!r.ok) { throw new Error("token"); }
        unreachable = false;  // the office answered
        return r.json();
      })
      .then(function (t) { return sendEach(t.csrf); })
      .catch(function (e) {
        noAnswer(e);
        document.getElementById("login-again").hidden = e.message !== "login";
      })
      .then(function () { sending = false; drawBadge(); });
  }

  function sendEach(token) {
    var item = queue()[0];
    if (!item) { return null; }
    var body = {
      client_ref: item.client_ref, visit_id: item.visit_id, status: item.status, note: item.note,
      time: item.time, date: item.date, plan_version_id: item.plan_version_id, unit_id: item.unit_id,
      again: item.again === true
    };
    return request(urls.post, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 401) { throw new Error("login"); }
      if (r.ok || r.status === 403 || r.status === 422) {
        return r.json().catch(function () { return {}; }).then(function (answer) {
          if (!r.ok) {  // the office must hear of it: kept, shown, not retried for ever
            var rejected = load(KEY_REJECTED, []).filter(function (x) { return x.client_ref !== item.client_ref; });
            item.error = answer.error || String(r.status);
            item.rejected_at = isoDay(new Date());
            rejected.push(item);
            save(KEY_REJECTED, rejected);
          }
          save(KEY_QUEUE, queue().filter(function (x) { return x.client_ref !== item.client_ref; }));
          // an outcome of an earlier day (queued offline then) is not today's: today's stop of
          // the same visit stays open
          if (r.ok && route && route.outcomes && item.date === route.date) {
            route.outcomes[item.visit_id] = { status: item.status, time: item.time, note: item.note || "" };
          }
          if (r.ok && answer.on_route === false) {
            if (answer.conflict) { item.conflict = answer.conflict; }  // what the office had recorded
            var moved = load(KEY_OFF_ROUTE, []).filter(function (x) { return x.client_ref !== item.client_ref; });
            moved.push(item);
            save(KEY_OFF_ROUTE, moved);
          }
          drawBadge();
          return sendEach(token);
        });
      }
      if (r.status >= 500 || r.status === 408) { unreachable = true; }  // a gateway's answer
      throw new Error("later");  // 400 (an old token), 5xx: kept, tried again later
    });
  }

  // --- loading ------------------------------------------------------------------------------
  // the marks of the day stay when the office publishes a new version of it: a visit keeps
  // its id across versions, and what was recorded on the tablet is a fact
  function signature(doc) {
    var copy = {};
    Object.keys(doc || {}).forEach(function (k) { if (k !== "csrf") { copy[k] = doc[k]; } });
    return JSON.stringify(copy);
  }
  var shown = false;  // the next stop was brought into view once, at the first route drawn
  function adopt(doc) {
    route = doc;
    routeSig = signature(doc);
    marks = storedMarks();
    notes = loadNotes();
    if (doc.date) {  // notices of earlier days go
      save(KEY_OFF_ROUTE, load(KEY_OFF_ROUTE, []).filter(function (r) { return r.date === doc.date; }));
    }
    draw();
    if (!shown && doc.stops) {
      shown = true;
      if (!scrolledByUser) { showNext(false); }
    }
  }
  // the driver's own scrolling (not the page's): the route is then left where he put it
  ["wheel", "touchmove"].forEach(function (type) {
    window.addEventListener(type, function () { scrolledByUser = true; }, { passive: true });
  });
  window.addEventListener("keydown", function (event) {
    if (/^(PageUp|PageDown|ArrowUp|ArrowDown|Home|End| )$/.test(event.key)) { scrolledByUser = true; }
  });

  // today.json: {doc, fresh}; fresh is false for the copy the service worker kept (no signal)
  function fetchRoute() {
    return request(urls.data, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { signedOut = true; throw new Error("login"); }
        if (!r.ok) { unreachable = r.status >= 500 || r.status === 408; throw new Error("http " + r.status); }
        var fresh = r.headers.get("X-Kinito-Kept") !== "1";
        // the kept copy because the session has ended (the service worker says so): log in,
        // not "no signal"
        signedOut = r.headers.get("X-Kinito-Signed-Out") === "1";
        unreachable = !fresh && !signedOut;
        if (signedOut) {
          document.getElementById("login-again").hidden = false;
        } else if (fresh) {
          document.getElementById("login-again").hidden = true;
        }
        return r.json().then(function (doc) {
          if (fresh) { checked = { office: doc.today || doc.date, tablet: isoDay(new Date()) }; }
          return { doc: doc, fresh: fresh };
        });
      });
  }

  function start() {
    fetching = true;
    fetchRoute()
      .then(function (got) {
        fetching = false;
        save(KEY_ROUTE, got.doc);
        adopt(got.doc);
        if (!got.fresh && !signedOut) { retrySoon(); }
      })
      .catch(function (e) {
        fetching = false;
        if (e.message !== "login") { noAnswer(e); retrySoon(); }
        var kept = load(KEY_ROUTE, null);
        if (kept) { adopt(kept); } else { document.getElementById("load-error").hidden = false; }
        document.getElementById("login-again").hidden = e.message !== "login";
      })
      .then(send);
  }

  // a page left open picks up what the office publishes: with signal, the route is fetched
  // again every REFRESH_MS, RETRY_MS after the signal returns, when the page is shown again
  // and on a new day; a changed one is adopted as at load (the marks and the queue stay)
  var retry = null;
  function refreshSoon(retried) {
    if (retry === null && navigator.onLine) {
      retry = window.setTimeout(function () { retry = null; refresh(retried); }, RETRY_MS);
    }
  }
  function retrySoon() { refreshSoon(true); }  // the link said it was up before it was: once more
  function refresh(retried) {
    if (fetching || !navigator.onLine) { return; }
    fetching = true;
    redrawIfDayChanged();
    var again = function () { if (retried !== true) { retrySoon(); } };
    fetchRoute()
      .then(function (got) {
        if (!got.fresh) { if (!signedOut) { again(); } return; }  // the kept copy: no signal after all, or signed out
        document.getElementById("load-error").hidden = true;
        if (signature(got.doc) !== routeSig) {
          save(KEY_ROUTE, got.doc);
          fetching = false;
          adopt(got.doc);
        }
      }, function (e) {
        if (e.message === "login") { document.getElementById("login-again").hidden = false; } else { noAnswer(e); again(); }
      })
      .then(function () { fetching = false; drawBadge(); redrawIfDayChanged(); });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(urls.sw, { scope: "./" }).catch(function () { /* no offline copy */ });
  }
  // The language switch is a form posted to the office: with no signal (or no answer from it)
  // it would leave the kept route for the browser's error page, so it is sent only once the
  // office answers, and otherwise the page says why it stays.
  var language = document.getElementById("language-form");
  if (language) {
    language.addEventListener("submit", function (event) {
      event.preventDefault();
      // the button pressed (older tablet browsers have no event.submitter: the form's one button)
      var chosen = event.submitter || language.querySelector("button[name]");
      var notice = document.getElementById("language-offline");
      var refuse = function () { notice.hidden = false; };
      if (!navigator.onLine) { refuse(); return; }
      request(urls.token, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (r.status === 401) {  // signal, but the session has ended: log in, not "no signal"
            document.getElementById("login-again").hidden = false;
            return;
          }
          if (!r.ok || r.headers.get("X-Kinito-Kept")) { throw new Error("no answer"); }
          notice.hidden = true;
          if (chosen && chosen.name) {  // form.submit() leaves the clicked button's value out
            var value = document.createElement("input");
            value.type = "hidden";
            value.name = chosen.name;
            value.value = chosen.value;
            language.appendChild(value);
          }
          language.submit();
        })
        .catch(refuse);
    });
  }

  // logging out forgets the kept route (names, phones) and the notices of outcomes kept off
  // the route on this tablet, but only once the server has ended the session: with no signal
  // the route stays and the page says why. The queue stays in any case, so outcomes not yet
  // sent go out at the next log-in.
  var logout = document.getElementById("logout");
  if (logout && logout.form) {
    logout.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var notice = document.getElementById("logout-offline");
      var offline = function () { notice.hidden = false; };
      // no signal: said at once, not after asking whether to log out anyway
      if (!navigator.onLine) { offline(); return; }
      // outcomes not sent yet, or refused: said before leaving (the refused ones for the last
      // time: the list goes with the log-out)
      var waiting = queue().length;
      var refused = rejectedList();
      if (waiting || refused.length) {
        var lines = [];
        if (waiting) { lines.push(T.logout_unsent.replace("{n}", String(waiting)).replace("{user}", user), ""); }
        if (refused.length) {
          lines.push(T.rejected);
          refused.forEach(function (r) { lines.push("- " + rejectedText(r)); });
          lines.push("");
        }
        lines.push(T.logout_ask);
        if (!window.confirm(lines.join("\n"))) { return; }
      }
      var forget = function () {
        window.localStorage.removeItem(KEY_ROUTE);
        window.localStorage.removeItem(KEY_OFF_ROUTE);  // names too; the office has them flagged
        window.localStorage.removeItem(KEY_REJECTED);   // shown just before
        try { window.sessionStorage.removeItem(KEY_NOTES); } catch (e) { /* none kept */ }
        var go = function () { window.location.assign(root.dataset.loggedOutUrl); };
        if (window.caches) { window.caches.delete("kinito-driver-v1").then(go, go); } else { go(); }
      };
      request(urls.token, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (r.status === 401) { return "ended"; }  // already logged out on the server
          if (!r.ok) { throw new Error("token"); }
          return r.json().then(function (t) {
            return request(logout.form.action, {
              method: "POST", credentials: "same-origin", cache: "no-store", redirect: "manual",
              headers: { "Content-Type": "application/x-www-form-urlencoded" },
              body: "csrf_token=" + encodeURIComponent(t.csrf)
            });
          });
        })
        .then(function (r) {
          if (r === "ended" || r.type === "opaqueredirect" || r.ok) { notice.hidden = true; forget(); } else { throw new Error("logout"); }
        })
        .catch(offline);
    });
  }
  // the signal is back: the queue at once, the route a moment later (the link settled, and
  // the outcomes just sent in it)
  window.addEventListener("online", function () {
    drawBadge();
    send();
    refreshSoon(false);
    redrawIfDayChanged();
  });
  window.addEventListener("offline", function () { drawBadge(); redrawIfDayChanged(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refresh(); }
  });
  // another tab of this tablet changed what is stored: this one shows it too
  window.addEventListener("storage", function (event) {
    if (event.storageArea && event.storageArea !== window.localStorage) { return; }
    if (event.key === KEY_MARKS || event.key === null) {
      if (route) { marks = storedMarks(); draw(); } else { drawBadge(); }
    } else if (event.key === KEY_ROUTE) {
      var doc = load(KEY_ROUTE, null);  // a route the other tab fetched (not one it forgot)
      if (doc && route && doc.date >= route.date && signature(doc) !== routeSig) { adopt(doc); }
    } else if (event.key === KEY_QUEUE || event.key === KEY_REJECTED || event.key === KEY_OFF_ROUTE) {
      drawBadge();
    }
  });
  window.addEventListener("resize", function () {  // the tablet turned: keep the route in view
    if (map && fitted) { map.invalidateSize(); map.fitBounds(fitted); }
  });
  window.setInterval(send, 15000);
  window.setInterval(function () { refresh(); }, REFRESH_MS);
  var lastDay = isoDay(new Date());
  window.setInterval(function () {  // past midnight with the page open: today's route, or say so
    var day = isoDay(new Date());
    if (day !== lastDay) { lastDay = day; refresh(); }
    if (dayState() === "clock") { refresh(); }  // a clock a minute off at midnight: soon over
    redrawIfDayChanged();
  }, 60000);
  // with signal, a light request now and then keeps the session alive through the day, so
  // outcomes are not left waiting behind a log-in that would itself need signal
  function keepAlive() {
    if (!navigator.onLine || sending) { return; }
    request(urls.token, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { document.getElementById("login-again").hidden = false; }
      })
      .catch(function () { /* no signal after all: the next turn tries again */ });
  }
  window.setInterval(keepAlive, KEEP_ALIVE_MS);
  start();
})();
