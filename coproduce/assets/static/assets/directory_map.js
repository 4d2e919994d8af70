// The directory's map: the list beside it is the page (it works without JavaScript); this draws
// the same places on a Leaflet map, clustered, fetching the points of the visible area as the
// map moves. Markers and popups are built with textContent, never from HTML strings.
(function () {
  "use strict";
  var box = document.getElementById("directory-map");
  if (!box || typeof L === "undefined") { return; }
  box.hidden = false;
  var map = L.map(box, { scrollWheelZoom: false });
  var tiles = box.dataset.tiles;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: box.dataset.attribution || "" }).addTo(map);
  }
  var cluster = L.markerClusterGroup({ chunkedLoading: true });
  map.addLayer(cluster);
  var status = document.getElementById("directory-map-status");
  var pending = null;

  function popup(point) {
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.name;
    return link;
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
        cluster.addLayers(data.points.map(function (point) {
          return L.marker([point.lat, point.lng], { alt: point.name, title: point.name })
            .bindPopup(popup(point));
        }));
        if (status) { status.textContent = data.summary; }
      })
      .catch(function (error) { if (error.name !== "AbortError" && status) { status.textContent = box.dataset.failed; } });
  }

  map.on("moveend", load);
  // First the extent of the community's places (one small query), then the points in view.
  fetch(box.dataset.points, { headers: { "Accept": "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      if (data.extent) {
        map.fitBounds([[data.extent[0], data.extent[1]], [data.extent[2], data.extent[3]]], { maxZoom: 15 });
      } else {
        map.setView([54.0, -2.5], 6); // Great Britain
      }
    })
    .catch(function () { map.setView([54.0, -2.5], 6); });
})();
