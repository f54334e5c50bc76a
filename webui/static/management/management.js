// Management's coverage map: every settlement as a circle sized by population, coloured by
// how often (in the period shown, the default, or the last 4 or 12 weeks) or how recently the
// unit served it. No tiles needed.
(function () {
  "use strict";
  var box = document.getElementById("coverage-map");
  if (!box || typeof L === "undefined") { return; }
  var points = JSON.parse(document.getElementById("coverage-data").textContent);
  var T = JSON.parse(document.getElementById("coverage-i18n").textContent);
  var map = L.map(box, { zoomControl: false });
  // Leaflet's own titles in the page's language (base.html gives them)
  L.control.zoom({ zoomInTitle: document.documentElement.dataset.zoomIn || "Zoom in",
                   zoomOutTitle: document.documentElement.dataset.zoomOut || "Zoom out" }).addTo(map);
  map.attributionControl.setPrefix("Kinito | Leaflet");
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution || "", maxZoom: 19 }).addTo(map);
  }
  var layer = L.layerGroup().addTo(map);
  var SCALES = {
    count: [["none", "#b00020"], ["one", "#f2a93b"], ["few", "#7fbf7b"], ["many", "#0a6b2e"]],
    recent: [["week", "#0a6b2e"], ["month", "#7fbf7b"], ["quarter", "#f2a93b"], ["never", "#b00020"]]
  };
  function countClass(n) { return n === 0 ? 0 : n === 1 ? 1 : n <= 3 ? 2 : 3; }
  // how recently, in the weeks the counts use (the server's class: this week, earlier in the
  // last 4 weeks, earlier in the last 12, not in them), so the two colourings agree
  function recentClass(p) { return typeof p.recent === "number" ? p.recent : 3; }
  function draw(mode) {
    layer.clearLayers();
    var scale = mode === "recent" ? SCALES.recent : SCALES.count;
    var counts = [0, 0, 0, 0];
    points.forEach(function (p) {
      var n = mode === "period" ? p.period : mode === "done4" ? p.done4 : p.done12;
      var c = mode === "recent" ? recentClass(p) : countClass(n);
      counts[c] += 1;
      // not reached: a hollow circle in a thick red ring, so that it differs from the filled
      // green of the well served by more than colour (red and green look alike to many)
      var hollow = scale[c][0] === "none" || scale[c][0] === "never";
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: Math.max(3, Math.min(22, Math.sqrt(p.population) / 3)),
        color: hollow ? scale[c][1] : "#222", weight: hollow ? 3 : 1,
        fillColor: hollow ? "#ffffff" : scale[c][1], fillOpacity: 0.85, className: "settlement c" + c
      });
      // the population as the page writes counts: 20.422 in Greek (the server's label)
      marker.bindTooltip(p.name + " · " + T.population + " " + (p.population_label || p.population) +
        " · " + T.people + " " + p.people +
        " · " + T.period + " " + p.period + " · " + T.done4 + " " + p.done4 + " · " + T.done12 + " " + p.done12 + (p.last ? " · " + T.last + " " + (p.last_label || p.last) : ""));
      marker.addTo(layer);
    });
    var legend = document.getElementById("map-legend");
    legend.textContent = "";
    scale.forEach(function (s, i) {
      var li = document.createElement("li");
      var sw = document.createElement("span");
      sw.className = "swatch";
      if (s[0] === "none" || s[0] === "never") {
        sw.style.background = "#ffffff";
        sw.style.border = "3px solid " + s[1];
      } else {
        sw.style.background = s[1];
      }
      li.appendChild(sw);
      li.appendChild(document.createTextNode(T[s[0]] + " (" + counts[i] + ")"));
      li.dataset.class = String(i);
      legend.appendChild(li);
    });
    box.dataset.mode = mode;
  }
  var bounds = L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; }));
  map.fitBounds(bounds.pad(0.05));
  var select = document.getElementById("map-mode");
  select.addEventListener("change", function () { draw(select.value); });
  draw(select.value);
  box.dataset.ready = "1";
})();
