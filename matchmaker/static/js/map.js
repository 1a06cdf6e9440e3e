// The map (/map) and the small locator map of a city profile, drawn with the vendored Leaflet.
// No tiles and no other server: boundaries and layers come from the app as GeoJSON / JSON, and
// every word shown comes from the server in the viewer's language. User text goes through
// textContent only.
//   #map[data-boundaries-url][data-layers-url][data-profile-url][data-focus]   the full map
//   [data-locator][data-provinces-url][data-city-url]                          a profile's map
(function () {
  'use strict';

  var INDONESIA = [[-11.1, 95.0], [6.1, 141.1]];

  function getJSON(url) {
    return fetch(url, {credentials: 'same-origin', headers: {Accept: 'application/json'}})
      .then(function (response) {
        if (!response.ok) { throw new Error(url + ': ' + response.status); }
        return response.json();
      });
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined && text !== null) { el.textContent = text; }
    return el;
  }

  function baseMap(container, options) {
    return L.map(container, Object.assign({
      preferCanvas: true, zoomSnap: 0.5, minZoom: 3, maxZoom: 12, attributionControl: false
    }, options || {}));
  }

  // ---------------------------------------------------------------- the full map

  function card(code, name, data, profileUrl) {
    var shading = data.shading;
    var figure = shading.figures[code];
    var box = element('div', 'map-card');
    box.dataset.code = code;
    box.appendChild(element('strong', 'map-card-name d-block', name));
    var line = element('div', 'small');
    line.textContent = shading.label + ' ' + (figure ? figure.year : (shading.year || '')) + ': ' +
      (figure ? figure.text : data.labels.no_figure);
    box.appendChild(line);
    if (figure && figure.source) {
      box.appendChild(element('div', 'small text-muted', data.labels.source + ': ' + figure.source));
    }
    var point = data.practices.points.filter(function (p) { return p.code === code; })[0];
    if (point) {
      var list = element('ul', 'small mb-1 ps-3');
      point.practices.forEach(function (p) {
        list.appendChild(element('li', null, p.title + ' (' + p.maturity + ')'));
      });
      box.appendChild(list);
    }
    var link = element('a', 'map-card-profile', data.labels.profile);
    link.href = profileUrl.replace('00.00', code);
    box.appendChild(link);
    return box;
  }

  function legendBlock(title, items, extra) {
    var block = element('div', 'map-legend-block');
    block.appendChild(element('div', 'fw-semibold', title));
    items.forEach(function (item) {
      var row = element('span', 'map-legend-item');
      var swatch = element('span', 'map-swatch');
      swatch.style.background = item.colour;
      row.appendChild(swatch);
      row.appendChild(document.createTextNode(item.label));
      block.appendChild(row);
    });
    if (extra) { block.appendChild(element('div', 'text-muted map-source', extra)); }
    return block;
  }

  function drawLegend(target, data) {
    var s = data.shading;
    target.replaceChildren(
      legendBlock(s.label + (s.year ? ' ' + s.year : ''), s.legend.concat([s.missing]),
                  s.bps ? data.labels.bps : (s.sources.length ? data.labels.source + ': ' + s.sources.join('; ') : '')),
      data.practices.topic ? legendBlock(data.practices.label, data.practices.legend) : element('span'),
      data.programmes.lines.length ? legendBlock('mentor → mentee', data.programmes.legend) : element('span'));
  }

  function fullMap(container) {
    var map = baseMap(container);
    map.fitBounds(INDONESIA);
    var profileUrl = container.dataset.profileUrl;
    Promise.all([getJSON(container.dataset.boundariesUrl), getJSON(container.dataset.layersUrl)])
      .then(function (loaded) {
        var geo = loaded[0], data = loaded[1];
        var figures = data.shading.figures;
        var regions = L.geoJSON(geo, {
          style: function (feature) {
            var figure = figures[feature.properties.code];
            return {color: '#666', weight: 0.4, fillOpacity: 0.85,
                    fillColor: figure ? figure.colour : data.shading.missing.colour};
          },
          onEachFeature: function (feature, layer) {
            layer.on('click', function (event) {
              L.popup().setLatLng(event.latlng)
                .setContent(card(feature.properties.code, feature.properties.name, data, profileUrl))
                .openOn(map);
            });
          }
        }).addTo(map);
        data.programmes.lines.forEach(function (line) {
          L.polyline([[line.mentor.lat, line.mentor.lon], [line.mentee.lat, line.mentee.lon]], {
            color: line.colour, weight: 3, opacity: 0.9,
            dashArray: line.status === 'proposed' ? '6 4' : null
          }).bindTooltip(line.mentor.name + ' → ' + line.mentee.name + ' (' + line.topic + ', ' +
                         line.status_label + ')').addTo(map);
        });
        data.practices.points.forEach(function (point) {
          L.circleMarker([point.lat, point.lon], {
            radius: 6, color: '#fff', weight: 1.5, fillColor: point.colour, fillOpacity: 1
          }).bindTooltip(point.name + ': ' + point.maturity_label)
            .on('click', function () {
              L.popup().setLatLng([point.lat, point.lon])
                .setContent(card(point.code, point.name, data, profileUrl)).openOn(map);
            }).addTo(map);
        });
        var focus = container.dataset.focus;
        regions.eachLayer(function (layer) {
          if (focus && layer.feature.properties.code === focus) {
            map.fitBounds(layer.getBounds(), {maxZoom: 10, animate: false});
          }
        });
        drawLegend(document.getElementById('map-legend'), data);
        container.dataset.ready = '1';
      })
      .catch(function (error) {
        container.dataset.ready = 'error';
        container.appendChild(element('div', 'alert alert-danger m-2', String(error)));
      });
  }

  // ---------------------------------------------------------------- a profile's locator

  function locatorMap(container) {
    var map = baseMap(container, {zoomControl: false, scrollWheelZoom: false, dragging: false,
                                  doubleClickZoom: false, boxZoom: false, keyboard: false,
                                  touchZoom: false});
    map.fitBounds(INDONESIA);
    Promise.all([getJSON(container.dataset.provincesUrl), getJSON(container.dataset.cityUrl)])
      .then(function (loaded) {
        L.geoJSON(loaded[0], {style: {color: '#999', weight: 0.5, fillColor: '#eee', fillOpacity: 1},
                              interactive: false}).addTo(map);
        var city = L.geoJSON(loaded[1], {style: {color: '#b2182b', weight: 2, fillColor: '#b2182b',
                                                 fillOpacity: 0.6}, interactive: false}).addTo(map);
        var bounds = city.getBounds();
        map.setView(bounds.getCenter(), Math.min(map.getBoundsZoom(bounds), 7), {animate: false});
        L.circleMarker(bounds.getCenter(), {radius: 4, color: '#b2182b', weight: 2, fill: false,
                                            interactive: false}).addTo(map);
        container.dataset.ready = '1';
      })
      .catch(function () { container.dataset.ready = 'error'; });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var full = document.getElementById('map');
    if (full && full.dataset.layersUrl) { fullMap(full); }
    document.querySelectorAll('[data-locator]').forEach(locatorMap);
  });
}());
