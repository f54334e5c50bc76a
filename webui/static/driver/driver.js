// The driver's tablet: today's route, outcomes queued on the device and sent when there is
// signal. Never lost (the queue lives in localStorage until the server has stored each item),
// never recorded twice (each outcome carries a UUID, client_ref; the server is idempotent).
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

  var route = null;      // today's route document (today.json)
  var marks = {};        // visit_id -> {status, time}: what this tablet recorded (arrived too)
  var map = null, layers = null, fitted = null;
  var sending = false;
  var KEEP_ALIVE_MS = 10 * 60 * 1000;

  // --- storage ------------------------------------------------------------------------------
  function load(key, fallback) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) { return fallback; }
  }
  function save(key, value) { window.localStorage.setItem(key, JSON.stringify(value)); }
  function queue() { return load(KEY_QUEUE, []); }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- time ---------------------------------------------------------------------------------
  // seconds dropped, as the server's "planned" (planner.render.hhmm) and the route sheet do:
  // rounding here would show a stop planned at 08:50:40 as expected at 08:51, a delay that is not
  function hhmm(seconds) {
    var m = Math.floor(seconds / 60);
    var h = Math.floor(m / 60) % 24;
    m = m % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }
  function nowHHMM() {
    var d = new Date();
    var h = d.getHours(), m = d.getMinutes();
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }
  function isoDay(d) {  // the device's local date, YYYY-MM-DD
    var m = d.getMonth() + 1, day = d.getDate();
    return d.getFullYear() + "-" + (m < 10 ? "0" : "") + m + "-" + (day < 10 ? "0" : "") + day;
  }
  function dayLabel(iso) {
    try {
      return new Date(iso + "T12:00:00").toLocaleDateString(document.documentElement.lang || undefined,
        { weekday: "long", day: "numeric", month: "long", year: "numeric" });
    } catch (e) { return iso; }
  }
  // a route kept from another day (the tablet reopened offline the next morning), or a tablet
  // whose clock says another day: shown with a warning, and nothing is recorded on it
  function stale() { return !!(route && route.date && route.date !== isoDay(new Date())); }
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

  // the office's record (route.outcomes, as loaded or as sent from here) wins: it may have
  // been corrected since; this tablet's own mark counts until the office has one
  function markOf(visitId) {
    var mine = marks[visitId];
    var stored = route && route.outcomes ? route.outcomes[visitId] : null;
    if (stored && FINAL[stored.status]) { return stored; }
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
    }
    layers.clearLayers();
    var points = [[route.base.lat, route.base.lon]];
    route.stops.forEach(function (s) { points.push([s.lat, s.lon]); });
    points.push([route.base.lat, route.base.lon]);
    L.polyline(points, { color: "#0b5cad", weight: 5, opacity: 0.85 }).addTo(layers);
    L.marker([route.base.lat, route.base.lon], {
      icon: L.divIcon({ className: "stop-pin base-pin", html: "&#8962;", iconSize: [30, 30], iconAnchor: [15, 15] })
    }).bindTooltip(T.base + ": " + route.base.name).addTo(layers);
    var next = nextIndex();
    route.stops.forEach(function (s, i) {
      var mark = markOf(s.visit_id);
      var cls = "stop-pin" + (mark && FINAL[mark.status] ? " pin-" + mark.status : "") + (i === next ? " pin-next" : "");
      L.marker([s.lat, s.lon], {
        icon: L.divIcon({ className: cls, html: String(s.number), iconSize: [30, 30], iconAnchor: [15, 15] }),
        title: s.number + ". " + s.name
      }).addTo(layers);
    });
    fitted = L.latLngBounds(points).pad(0.15);
    map.fitBounds(fitted);
    box.dataset.ready = "1";
  }

  function nextIndex() {
    for (var i = 0; i < route.stops.length; i++) {
      var mark = markOf(route.stops[i].visit_id);
      if (!mark || !FINAL[mark.status]) { return i; }
    }
    return -1;
  }

  function drawStops() {
    var list = document.getElementById("stops");
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
      var head = el("div", "stop-head");
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
      head.appendChild(who);
      if (i === next) { head.appendChild(el("span", "next-label", T.next)); }
      li.appendChild(head);
      li.appendChild(el("div", "stop-meta", [T[s.kind] || "", s.address].filter(Boolean).join(" · ")));

      var acts = el("div", "stop-actions");
      var ll = s.lat + "," + s.lon;
      acts.appendChild(link("geo:" + ll + "?q=" + ll + "(" + encodeURIComponent(s.name) + ")", "button big-touch nav-geo", T.navigate));
      acts.appendChild(link("https://www.google.com/maps/dir/?api=1&travelmode=driving&destination=" + ll, "button big-touch nav-google", T.google));
      acts.appendChild(link("https://osmand.net/map/navigate/?profile=car&end=" + ll, "button big-touch nav-osmand", T.osmand));
      if (s.phone) {
        acts.appendChild(link("tel:" + s.phone.replace(/[^0-9+]/g, ""), "button big-touch call", T.call + " " + s.phone));
      }
      li.appendChild(acts);

      if (mark && FINAL[mark.status]) {
        li.appendChild(el("div", "stop-result result-" + mark.status, T[mark.status] + " · " + T.undo_hint + " " + mark.time));
      } else if (!stale()) {
        var rec = el("div", "stop-record");
        var note = el("input", "stop-note");
        note.type = "text";
        note.placeholder = T.note;
        note.setAttribute("aria-label", T.note);
        note.maxLength = 1000;
        if (mark && mark.status === "arrived") {
          rec.appendChild(el("span", "arrived-at", T.arrived_at + " " + mark.time));
        } else {
          rec.appendChild(button("arrived", s, note));
        }
        (s.choices || CHOICES[s.kind] || DEFAULT_CHOICES).forEach(function (status) {
          rec.appendChild(button(status, s, note));
        });
        li.appendChild(rec);
        li.appendChild(note);
      }
      list.appendChild(li);
    });
  }

  function button(status, stop, note) {
    var b = el("button", "big-touch mark mark-" + status, T[status]);
    b.type = "button";
    b.dataset.status = status;
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
    net.dataset.state = navigator.onLine ? "online" : "offline";
    net.textContent = navigator.onLine ? T.online : T.offline;
    var rejected = load(KEY_REJECTED, []);
    var box = document.getElementById("rejected");
    box.hidden = rejected.length === 0;
    box.textContent = "";
    if (rejected.length) {
      box.appendChild(el("li", "", T.rejected));
      rejected.forEach(function (r) { box.appendChild(el("li", "", r.visit_name + ": " + T[r.status] + " " + r.time + " (" + r.error + ")")); });
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
    warning.hidden = !old;
    root.dataset.stale = old ? "1" : "";
    if (route && route.date) {
      document.getElementById("route-date").textContent = route.date_label || dayLabel(route.date);
    }
    document.getElementById("route-label").textContent = old ? T.route_of : T.today;
    if (old) {
      warning.textContent = T.stale.replace("{route}", route.date_label || dayLabel(route.date))
        .replace("{today}", dayLabel(isoDay(new Date())));
    }
  }

  function draw() {
    drawDay();
    document.getElementById("no-route").hidden = !!(route && route.stops);
    if (route && route.stops) {
      drawStops();
      drawMap();
    }
    drawBadge();
  }

  // --- recording and sending ----------------------------------------------------------------
  function record(stop, status, note) {
    if (stale()) { draw(); return; }  // never dated with another day's route
    var time = nowHHMM();
    marks[stop.visit_id] = { status: status, time: time };
    save(KEY_MARKS, { date: route.date, version: route.plan_version_id, marks: marks });
    if (status !== "arrived") {
      var q = queue();
      q.push({
        client_ref: uuid(), visit_id: stop.visit_id, visit_name: stop.name, status: status,
        note: note || "", time: time, date: route.date, plan_version_id: route.plan_version_id
      });
      save(KEY_QUEUE, q);
    }
    draw();
    send();
  }

  function send() {
    if (sending || queue().length === 0) { drawBadge(); return; }
    sending = true;
    fetch(urls.token, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { throw new Error("login"); }
        if (!r.ok) { throw new Error("token"); }
        return r.json();
      })
      .then(function (t) { return sendEach(t.csrf); })
      .catch(function (e) {
        document.getElementById("login-again").hidden = e.message !== "login";
      })
      .then(function () { sending = false; drawBadge(); });
  }

  function sendEach(token) {
    var item = queue()[0];
    if (!item) { return null; }
    var body = {
      client_ref: item.client_ref, visit_id: item.visit_id, status: item.status, note: item.note,
      time: item.time, date: item.date, plan_version_id: item.plan_version_id
    };
    return fetch(urls.post, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 401) { throw new Error("login"); }
      if (r.ok || r.status === 403 || r.status === 422) {
        return r.json().catch(function () { return {}; }).then(function (answer) {
          if (!r.ok) {  // the office must hear of it: kept, shown, not retried for ever
            var rejected = load(KEY_REJECTED, []);
            item.error = answer.error || String(r.status);
            rejected.push(item);
            save(KEY_REJECTED, rejected);
          }
          save(KEY_QUEUE, queue().filter(function (x) { return x.client_ref !== item.client_ref; }));
          if (r.ok && route && route.outcomes) {
            route.outcomes[item.visit_id] = { status: item.status, time: item.time };
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
      throw new Error("later");  // 400 (an old token), 5xx: kept, tried again later
    });
  }

  // --- loading ------------------------------------------------------------------------------
  // the marks of the day stay when the office publishes a new version of it: a visit keeps
  // its id across versions, and what was recorded on the tablet is a fact
  function adopt(doc) {
    route = doc;
    var kept = load(KEY_MARKS, null);
    marks = kept && kept.date === doc.date ? kept.marks : {};
    if (doc.date) {  // notices of earlier days go
      save(KEY_OFF_ROUTE, load(KEY_OFF_ROUTE, []).filter(function (r) { return r.date === doc.date; }));
    }
    draw();
  }

  function start() {
    fetch(urls.data, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { throw new Error("login"); }
        if (!r.ok) { throw new Error("http " + r.status); }
        return r.json();
      })
      .then(function (doc) {
        save(KEY_ROUTE, doc);
        adopt(doc);
      })
      .catch(function (e) {
        var kept = load(KEY_ROUTE, null);
        if (kept) { adopt(kept); } else { document.getElementById("load-error").hidden = false; }
        document.getElementById("login-again").hidden = e.message !== "login";
      })
      .then(send);
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(urls.sw, { scope: "./" }).catch(function () { /* no offline copy */ });
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
      var forget = function () {
        window.localStorage.removeItem(KEY_ROUTE);
        window.localStorage.removeItem(KEY_OFF_ROUTE);  // names too; the office has them flagged
        var go = function () { window.location.assign(root.dataset.loggedOutUrl); };
        if (window.caches) { window.caches.delete("kinito-driver-v1").then(go, go); } else { go(); }
      };
      var offline = function () { notice.hidden = false; };
      if (!navigator.onLine) { offline(); return; }
      fetch(urls.token, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (r.status === 401) { return "ended"; }  // already logged out on the server
          if (!r.ok) { throw new Error("token"); }
          return r.json().then(function (t) {
            return fetch(logout.form.action, {
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
  window.addEventListener("online", function () { drawBadge(); send(); });
  window.addEventListener("offline", drawBadge);
  window.addEventListener("resize", function () {  // the tablet turned: keep the route in view
    if (map && fitted) { map.invalidateSize(); map.fitBounds(fitted); }
  });
  window.setInterval(send, 15000);
  window.setInterval(function () {  // past midnight with the page open: say so at once
    if (route && (root.dataset.stale === "1") !== stale()) { draw(); }
  }, 60000);
  // with signal, a light request now and then keeps the session alive through the day, so
  // outcomes are not left waiting behind a log-in that would itself need signal
  function keepAlive() {
    if (!navigator.onLine || sending) { return; }
    fetch(urls.token, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { document.getElementById("login-again").hidden = false; }
      })
      .catch(function () { /* no signal after all: the next turn tries again */ });
  }
  window.setInterval(keepAlive, KEEP_ALIVE_MS);
  start();
})();
