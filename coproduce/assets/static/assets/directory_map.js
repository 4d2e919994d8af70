// The directory's map: the list beside it is the page (it works without JavaScript); this draws
// the same places on a Leaflet map, clustered, fetching the points of the visible area as the
// map moves. Markers and popups are built with textContent, never from HTML strings.
(function () {
  "use strict";
  var box = document.getElementById("directory-map");
  if (!box || typeof L === "undefined") { return; }
  box.hidden = false;
  // maxZoom on the map itself: without a tile layer (tests, or no tile server) the cluster
  // group needs one to build its levels.
  // People who ask their device for less motion get a map that jumps instead of gliding.
  var calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var map = L.map(box, { scrollWheelZoom: false, maxZoom: 19, zoomAnimation: !calm, fadeAnimation: !calm,
                         markerZoomAnimation: !calm });
  var tiles = box.dataset.tiles;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: box.dataset.attribution || "" }).addTo(map);
  }
  var cluster = L.markerClusterGroup({ chunkedLoading: true, animate: !calm });
  map.addLayer(cluster);
  // A crowded view arrives as counts on a grid (the server counts; see views_map.py).
  var cells = L.layerGroup().addTo(map);
  var status = document.getElementById("directory-map-status");
  var pending = null;

  // A point is [id, name, lat, lng]; data.url is the entry pages' address with "{id}" in it.
  function popup(point, url) {
    var link = document.createElement("a");
    link.href = url.replace("{id}", point[0]);
    link.textContent = point[1];
    return link;
  }

  // One grid cell: a count the person selects (click or Enter) to zoom in on it.
  function cell(row) {
    var count = document.createElement("div");
    var number = document.createElement("span");
    number.textContent = row[2];
    count.appendChild(number);
    var size = row[2] < 10 ? "small" : row[2] < 100 ? "medium" : "large";
    var title = box.dataset.cellTitle.replace("{n}", row[2]);
    return L.marker([row[0], row[1]], {
      title: title, alt: title,
      icon: L.divIcon({ html: count, className: "marker-cluster marker-cluster-" + size, iconSize: [40, 40] })
    }).on("click", zoomIn).on("keypress", function (event) {
      if (event.originalEvent.key === "Enter" || event.originalEvent.key === " ") { zoomIn(); }
    });
    function zoomIn() { map.setView([row[0], row[1]], Math.min(map.getZoom() + 2, 19)); }
  }

  function load() {
    var b = map.getBounds();
    var url = new URL(box.dataset.points, window.location.href);
    url.searchParams.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map(function (n) { return n.toFixed(5); }).join(","));
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(url, { signal: pending.signal, headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        cluster.clearLayers();
        cells.clearLayers();
        (data.clusters || []).forEach(function (row) { cells.addLayer(cell(row)); });
        cluster.addLayers(data.points.map(function (point) {
          return L.marker([point[2], point[3]], { alt: point[1], title: point[1] })
            .bindPopup(popup(point, data.url));
        }));
        if (status) { status.textContent = data.summary; }
      })
      .catch(function (error) { if (error.name !== "AbortError" && status) { status.textContent = box.dataset.failed; } });
  }

  map.on("moveend", load);
  // The view first fits the extent of the community's places. The page may still be settling
  // then (on a phone the map sits above the list, and its box can change size after the first
  // fit): until the person moves or zooms the map themselves, a change of size fits the extent
  // again; after that, Leaflet only measures its box again and keeps their view.
  var extent = null;
  var fitting = false;
  var touched = false;
  var started = false;
  map.on("dragstart zoomstart", function () { if (!fitting) { touched = true; } });
  function fit() {
    started = true;
    fitting = true;
    map.invalidateSize({ pan: false });
    if (extent) {
      map.fitBounds(extent, { maxZoom: 15, animate: false });
    } else {
      map.setView([54.0, -2.5], 6, { animate: false }); // Great Britain
    }
    fitting = false;
  }
  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      if (!started) { return; }  // the first fit comes with the extent
      if (touched) { map.invalidateSize(); } else { fit(); }
    }).observe(box);
  }
  // First the extent of the community's places (one small query), then the points in view.
  fetch(box.dataset.points, { headers: { "Accept": "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      if (data.extent) { extent = [[data.extent[0], data.extent[1]], [data.extent[2], data.extent[3]]]; }
      fit();
    })
    .catch(function () { fit(); });
})();
