// Kinito's service worker for the driver's tablet (scope /driver/). It keeps today's route
// page, its data and what draws them (script, styles, Leaflet) in the Cache API, so the route
// keeps working with no signal. Every GET it knows goes to the network first (fresh when there
// is signal) and falls back to the kept copy (also when the network has not answered in WAIT_MS); nothing else (log-in, tokens, the outcomes POST)
// is touched: outcomes wait in the page's own queue until they are sent. A kept copy of the
// route's data is answered with the header X-Kinito-Kept: 1, so the page tells a route kept
// from earlier (no signal) from the office's answer of now, and X-Kinito-Signed-Out: 1 too when
// the office answered that the session has ended.
"use strict";
var CACHE = "kinito-driver-v1";
var KEPT = {{ kept | tojson }};
var DATA = {{ data | tojson }};

function keptCopy(key, otherwise, signedOut) {
  return caches.match(key).then(function (copy) {
    if (!copy) { return otherwise; }
    if (key !== DATA) { return copy; }
    var headers = new Headers(copy.headers);
    headers.set("X-Kinito-Kept", "1");
    if (signedOut) { headers.set("X-Kinito-Signed-Out", "1"); }
    return copy.blob().then(function (body) {
      return new Response(body, { status: copy.status, statusText: copy.statusText, headers: headers });
    });
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(KEPT.map(function (url) {
        return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
          if (response.ok && !response.redirected) { return cache.put(url, response); }
          return null;
        }).catch(function () { return null; });
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("kinito-driver-") === 0 && n !== CACHE; })
        .map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var key = url.pathname;
  if (KEPT.indexOf(key) < 0) { return; }
  // a navigation keeps its own redirect mode: signed out, the browser follows to the log-in page
  var online = request.mode === "navigate" ? fetch(request) : fetch(request, { cache: "no-store" });
  var answered = online.then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(key, copy); });
      return response;
    }
    if (response.status === 401) {
      // the data, signed out (the session ended, e.g. overnight): the kept copy still serves
      // the day, marked so that the page asks for a log-in at once rather than for signal
      return keptCopy(key, response, true);
    }
    if (response.status >= 500 || response.status === 408) {
      // a gateway's "502 Bad Gateway" or "504 Gateway Timeout" (the office restarting, a weak
      // link timing out behind the HTTPS proxy) is no signal too: the kept route, not the error
      return keptCopy(key, response);
    }
    return response;
  }).catch(function () {
    return keptCopy(key, new Response("", { status: 503, statusText: "offline" }));
  });
  event.respondWith(Promise.race([answered, slow(key, answered)]));
});

// A weak signal answers nothing for minutes rather than failing (a request left hanging kept
// the tab blank past 90 s): after WAIT_MS the kept copy is answered, marked kept as with no
// signal; with none kept, the network's answer is awaited. A late answer still refreshes the
// copy (answered above keeps running).
var WAIT_MS = 4000;
function slow(key, answered) {
  return new Promise(function (resolve) {
    setTimeout(function () {
      caches.match(key).then(function (copy) {
        if (copy) { resolve(keptCopy(key, null)); } else { resolve(answered); }
      });
    }, WAIT_MS);
  });
}
