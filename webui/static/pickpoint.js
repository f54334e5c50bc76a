// The beneficiary page's map: click to set the home's exact point (fills the lat/lon fields).
// Offline by default: no tile layer unless the server names one; the settlement points give
// the reader their bearings.
(function () {
  "use strict";
  var el = document.getElementById("pick-map");
  if (!el || typeof L === "undefined") { return; }
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  var settlement = document.getElementById("settlement_code");
  var points = JSON.parse(el.dataset.settlements || "{}");
  var map = L.map(el, { zoomControl: false, attributionControl: true });
  // Leaflet's own titles in the page's language (base.html gives them)
  L.control.zoom({ zoomInTitle: document.documentElement.dataset.zoomIn || "Zoom in",
                   zoomOutTitle: document.documentElement.dataset.zoomOut || "Zoom out" }).addTo(map);
  map.attributionControl.setPrefix("Kinito | Leaflet");
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
  }
  var code;
  for (code in points) {
    if (Object.prototype.hasOwnProperty.call(points, code)) {
      L.circleMarker(points[code], { radius: 3, color: "#888", weight: 1, fillOpacity: 0.6 }).addTo(map);
    }
  }
  var homeIcon = L.divIcon({ className: "home-marker", html: "&#9679;", iconSize: [22, 22], iconAnchor: [11, 11] });
  var villageMarker = L.circleMarker([0, 0], { radius: 9, color: "#1f77b4", weight: 3, fill: false });
  var home = null;

  function number(input) {
    var v = parseFloat(String(input.value).replace(",", "."));
    return isNaN(v) ? null : v;
  }
  function showVillage() {
    var p = settlement && points[settlement.value];
    if (p) {
      villageMarker.setLatLng(p).bindTooltip(el.dataset.labelSettlement).addTo(map);
    }
    return p;
  }
  function showHome(latlng) {
    if (home) { map.removeLayer(home); home = null; }
    if (latlng) {
      home = L.marker(latlng, { icon: homeIcon, title: el.dataset.labelHome }).addTo(map);
    }
  }
  function centre() {
    var a = number(lat), b = number(lon);
    var village = showVillage();
    if (a !== null && b !== null) {
      showHome([a, b]);
      map.setView([a, b], 15);
    } else if (village) {
      showHome(null);
      map.setView(village, 14);
    } else {
      map.setView([38.2498, 22.0816], 10);
    }
  }
  map.on("click", function (e) {
    lat.value = e.latlng.lat.toFixed(6);
    lon.value = e.latlng.lng.toFixed(6);
    showHome(e.latlng);
  });
  if (settlement) { settlement.addEventListener("change", centre); }
  document.getElementById("clear-point").addEventListener("click", function () {
    lat.value = ""; lon.value = ""; centre();
  });
  centre();
  el.dataset.ready = "1";
})();
