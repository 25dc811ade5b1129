/* The public map of outages and incidents (/public/map), drawn with the vendored Leaflet.
 *
 * The page's list by street and house is the content; this script only adds the map above it, from
 * the data the page carries (<script type="application/json" id="public-map-data">, the same as
 * /public/map.json). If the tiles do not load the map is removed again and the list stays alone.
 * Every text from the data is set with textContent: nothing from it is parsed as HTML.
 */
(function () {
  "use strict";

  // Colours per resource and one for incidents; an unknown resource gets the neutral one.
  var COLOURS = {
    cold_water: "#1f77b4",
    hot_water: "#d62728",
    heating: "#ff7f0e",
    electricity: "#e3b505",
    gas: "#17becf",
    sewerage: "#8c564b"
  };
  var NEUTRAL = "#555555";
  var INCIDENT = "#9467bd";
  var TILE_TIMEOUT_MS = 10000;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function line(parent, label, value) {
    if (!value) return;
    var p = el("p", "pm-popup-line");
    if (label) p.appendChild(el("span", "pm-popup-label", label + ": "));
    p.appendChild(document.createTextNode(value));
    parent.appendChild(p);
  }

  function outagePart(box, outage, words) {
    var part = el("div", "pm-popup-outage");
    var what = outage.kind === "accident" ? words.accident : words.planned;
    var head = outage.resource_name + (what ? " — " + what : "");
    part.appendChild(el("strong", "pm-popup-title", head));
    line(part, outage.planned ? words.starts : words.since, outage.starts_at && outage.starts_at.local);
    line(part, words.expected_end, outage.expected_end_at && outage.expected_end_at.local);
    line(part, words.cause, outage.cause);
    line(part, words.update, outage.update && outage.update.text);
    box.appendChild(part);
  }

  function housePopup(house, outages, words) {
    var box = el("div", "pm-popup");
    box.appendChild(el("div", "pm-popup-address", house.address));
    if (house.name || house.social) box.appendChild(el("div", "pm-popup-social", house.name || house.social));
    outages.forEach(function (o) { outagePart(box, o, words); });
    return box;
  }

  function incidentPopup(incident, words) {
    var box = el("div", "pm-popup");
    box.appendChild(el("strong", "pm-popup-title", incident.emoji + " " + incident.kind_name));
    if (incident.address) box.appendChild(el("div", "pm-popup-address", incident.address));
    line(box, words.received, incident.received_at && incident.received_at.local);
    line(box, words.expected_end, incident.expected_end_at && incident.expected_end_at.local);
    line(box, words.update, incident.update && incident.update.text);
    return box;
  }

  function houses(data) {
    // One marker per house, however many outages it has: the popup lists them all.
    var byId = {};
    var order = [];
    data.outages.forEach(function (outage) {
      outage.houses.forEach(function (house) {
        if (house.latitude === null || house.longitude === null) return;
        if (!byId[house.id]) {
          byId[house.id] = { house: house, outages: [] };
          order.push(house.id);
        }
        byId[house.id].outages.push(outage);
      });
    });
    return order.map(function (id) { return byId[id]; });
  }

  function legend(data, words) {
    // What the colours mean: the resources cut off now, and incidents if there are any.
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var box = el("div", "pm-legend");
      function entry(colour, text) {
        var row = el("div", "pm-legend-row");
        var swatch = el("span", "pm-legend-swatch");
        swatch.style.backgroundColor = colour;
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(text));
        box.appendChild(row);
      }
      (data.resources || []).forEach(function (resource) {
        entry(COLOURS[resource.code] || NEUTRAL, resource.name);
      });
      if (data.incidents.length) entry(INCIDENT, words.incidents);
      return box;
    };
    return control;
  }

  function start() {
    var container = document.getElementById("public-map");
    var source = document.getElementById("public-map-data");
    if (!container || !source || typeof L === "undefined") return;
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    var words = data.labels || {};
    container.hidden = false;
    var map = L.map(container, { scrollWheelZoom: false });
    map.attributionControl.setPrefix(false);
    var loaded = 0;
    var failed = false;

    function giveUp() {
      if (failed || loaded > 0) return;
      failed = true;
      map.remove();
      container.hidden = true;
      document.body.classList.add("pm-no-map");
    }

    var tiles = L.tileLayer(container.dataset.tiles, {
      attribution: container.dataset.attribution || "",
      maxZoom: 19
    });
    tiles.on("tileload", function () { loaded += 1; });
    tiles.on("load", function () { if (loaded === 0) giveUp(); });
    tiles.addTo(map);
    window.setTimeout(giveUp, TILE_TIMEOUT_MS);

    var points = [];
    houses(data).forEach(function (entry) {
      var first = entry.outages[0];
      var colour = COLOURS[first.resource] || NEUTRAL;
      var latlng = [entry.house.latitude, entry.house.longitude];
      var classes = "pm-marker pm-marker-house pm-resource-" + first.resource;
      if (entry.outages.every(function (o) { return o.planned; })) classes += " pm-marker-planned";
      if (entry.house.social) classes += " pm-marker-social";
      L.circleMarker(latlng, {
        radius: entry.house.social ? 10 : 8,
        color: colour,
        fillColor: colour,
        fillOpacity: entry.outages.every(function (o) { return o.planned; }) ? 0.25 : 0.7,
        weight: 2,
        className: classes
      }).bindPopup(housePopup(entry.house, entry.outages, words)).addTo(map);
      points.push(latlng);
    });
    data.incidents.forEach(function (incident) {
      if (incident.latitude === null || incident.longitude === null) return;
      var latlng = [incident.latitude, incident.longitude];
      L.circleMarker(latlng, {
        radius: 9,
        color: INCIDENT,
        fillColor: INCIDENT,
        fillOpacity: 0.7,
        weight: 3,
        dashArray: "4 3",
        className: "pm-marker pm-marker-incident pm-kind-" + incident.kind
      }).bindPopup(incidentPopup(incident, words)).addTo(map);
      points.push(latlng);
    });

    legend(data, words).addTo(map);

    var zoom = Number(container.dataset.zoom) || 15;
    if (points.length) {
      map.fitBounds(points, { padding: [24, 24], maxZoom: zoom });
    } else {
      map.setView([Number(container.dataset.lat), Number(container.dataset.lon)], zoom);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
