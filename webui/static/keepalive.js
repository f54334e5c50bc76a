// While someone types in a form, the session does not end for being idle: at most every
// 4 minutes of typing, a quiet request tells the server the user is there (the idle limit is
// 30 minutes; a form filled in slowly, a long note, was lost when it was saved after it).
(function () {
  "use strict";
  var url = document.body && document.body.dataset.keepalive;
  if (!url || !window.fetch) { return; }
  var EVERY = 4 * 60 * 1000;
  var last = Date.now();
  function alive() {
    if (Date.now() - last < EVERY) { return; }
    last = Date.now();
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .catch(function () { /* no signal: the save will say so */ });
  }
  document.addEventListener("input", alive, true);
  document.addEventListener("keydown", alive, true);
})();
