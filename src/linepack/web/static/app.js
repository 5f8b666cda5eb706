/* linepack web page: map, scenario results, profile, uploads. No external requests: everything comes from
   this server. Text from the server (ids, names, messages) is always inserted as text, never as HTML. */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const state = { config: null, networks: [], result: null, pipeLayer: null, markerLayer: null, legend: null };
  const KIND_STYLE = {
    compressor: { label: "compressor station", color: "#d35400", shape: "square" },
    terminal: { label: "LNG terminal", color: "#1f6fc5", shape: "triangle" },
    field: { label: "gas field", color: "#2e8b3a", shape: "diamond" },
    entry: { label: "border / hub entry", color: "#7b3fa0", shape: "pentagon" },
    delivery: { label: "delivery point", color: "#222", shape: "circle" },
  };
  // viridis: red stays free for violations
  const COLOURS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];
  const METRIC = {
    pressure: { prop: "p_mean_barg", label: "mean pressure, barg" },
    flow: { prop: "flow_mmscfd", label: "flow, MMSCFD" },
    utilisation: { prop: "utilisation", label: "utilisation = max velocity / 20 m/s" },
    gcv: { prop: "gcv_mj_m3", label: "gross calorific value, MJ/m3" },
    wobbe: { prop: "wobbe_mj_m3", label: "Wobbe index, MJ/m3" },
    h2: { prop: "h2_mol_pct", label: "hydrogen, mol %" },
  };
  const STATUS_TEXT = { ok: "ok", below_min: "below minimum", above_maop: "above MAOP" };
  // Later views (transient time slider, N-1 criticality) register here: {name: function(container, result)}.
  const extraViews = {};
  window.linepack = { state, extraViews };

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
    return e;
  }

  function setStatus(text, st) {
    const s = $("status");
    s.textContent = text;
    s.dataset.state = st;
    // a loading state (spinner, dimmed results) for as long as the page waits; "done" and "error" end it
    document.body.dataset.busy = ["loading", "solving", "uploading"].includes(st) ? "1" : "0";
  }

  const API_TIMEOUT_MS = 180000;  // a request that takes longer ends with an error: no endless loading state

  async function api(path, body) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), API_TIMEOUT_MS);
    const opts = body === undefined ? { signal: ctrl.signal } : {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal: ctrl.signal,
    };
    let resp;
    try {
      resp = await fetch(path, opts);
    } catch (e) {
      const err = new Error(e.name === "AbortError" ? `no answer from the server in ${API_TIMEOUT_MS / 1000} s` : "the server cannot be reached (" + e.message + ")");
      err.problems = [];
      throw err;
    } finally {
      clearTimeout(timer);
    }
    let doc = null;
    try { doc = await resp.json(); } catch (e) { doc = { error: "HTTP " + resp.status, problems: [] }; }
    if (!resp.ok) {
      const err = new Error(doc.error || "HTTP " + resp.status);
      err.problems = doc.problems || [];
      throw err;
    }
    return doc;
  }

  // ---------------------------------------------------------------- map
  const map = L.map("map", { zoomSnap: 0.25, preferCanvas: false, attributionControl: true });
  map.attributionControl.setPrefix("Leaflet");
  map.setView([29, 66], 5);

  async function loadBasemap() {
    const resp = await fetch("/static/basemap.geojson");
    const geo = await resp.json();
    state.region = geo.bbox;  // [lon_min, lat_min, lon_max, lat_max] of the detailed layer
    map.createPane("world").style.zIndex = 190;
    const base = L.geoJSON(geo, {
      style: { color: "#8a8f96", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 },
      interactive: false,
      attribution: "Natural Earth (public domain)",
    }).addTo(map);
    base.getLayers().forEach((l) => l.getElement && l.getElement() && l.getElement().classList.add("lp-basemap"));
    if (state.config.tiles_url) {
      const tiles = L.tileLayer(state.config.tiles_url, { maxZoom: 18, attribution: "online tiles" });
      L.control.layers({}, { "Online tiles": tiles }, { collapsed: false }).addTo(map);
    }
  }

  // Networks outside the detailed region get the coarse world layer (Natural Earth 1:110m) beneath.
  async function ensureWorld(bounds) {
    const r = state.region;
    if (state.worldLayer || !bounds.isValid() || !r) return;
    const inside = bounds.getWest() >= r[0] && bounds.getSouth() >= r[1] && bounds.getEast() <= r[2] && bounds.getNorth() <= r[3];
    if (inside) return;
    const geo = await (await fetch("/static/world.geojson")).json();
    state.worldLayer = L.geoJSON(geo, {
      style: { color: "#8a8f96", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 }, interactive: false, pane: "world",
    }).addTo(map);
  }

  function shapeSvg(shape, color, size, ring) {
    const s = size, h = s / 2;
    const stroke = ring ? "#e00000" : "#fff";
    const sw = ring ? 3 : 1.5;
    let body;
    if (shape === "square") body = `<rect x="2" y="2" width="${s - 4}" height="${s - 4}"`;
    else if (shape === "triangle") body = `<polygon points="${h},2 ${s - 2},${s - 2} 2,${s - 2}"`;
    else if (shape === "diamond") body = `<polygon points="${h},1 ${s - 1},${h} ${h},${s - 1} 1,${h}"`;
    else if (shape === "pentagon") body = `<polygon points="${h},1 ${s - 1},${h - 1} ${s - 4},${s - 2} 4,${s - 2} 1,${h - 1}"`;
    else body = `<circle cx="${h}" cy="${h}" r="${h - 2}"`;
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s}">${body} fill="${color}" stroke="${stroke}" stroke-width="${sw}"/></svg>`;
  }

  function fmt(v, digits) {
    if (v === null || v === undefined) return "–";
    if (typeof v === "number") {
      const d = digits === undefined ? 2 : digits;
      const r = Number(v.toFixed(d)) === 0 ? 0 : v;  // no "-0"
      return r.toLocaleString("en-US", { maximumFractionDigits: d });
    }
    return String(v);
  }

  const TIP_FIELDS = [
    ["from", "from"], ["to", "to"], ["node", "node"], ["category", "category"], ["mode", "mode"],
    ["length_km", "length km"], ["nominal_in", "size in"], ["flow_mmscfd", "flow MMSCFD"],
    ["p_in_barg", "p in barg"], ["p_out_barg", "p out barg"], ["p_mean_barg", "p mean barg"],
    ["maop_barg", "MAOP barg"], ["velocity_m_s", "max velocity m/s"], ["utilisation", "utilisation"],
    ["suction_barg", "suction barg"], ["discharge_barg", "discharge barg"], ["ratio", "ratio"],
    ["power_mw", "power MW"], ["power_max_mw", "max power MW"], ["fuel_mmscfd", "fuel MMSCFD"],
    ["supply_mmscfd", "supply MMSCFD"], ["capacity_mmscfd", "capacity MMSCFD"], ["demand_mmscfd", "demand MMSCFD"],
    ["p_barg", "p barg"], ["p_min_barg", "min barg"],
    ["gcv_mj_m3", "GCV MJ/m3"], ["wobbe_mj_m3", "Wobbe MJ/m3"], ["h2_mol_pct", "H2 mol %"], ["energy_mw", "energy MW"],
  ];

  function tooltip(p) {
    const kind = KIND_STYLE[p.kind] ? KIND_STYLE[p.kind].label : p.kind;
    const box = el("div", {}, el("b", {}, p.id), " (" + kind + ")");
    if (p.name && p.name !== p.id) box.append(el("div", {}, p.name));
    const t = el("table");
    for (const [k, label] of TIP_FIELDS) {
      if (p[k] !== undefined && p[k] !== null) t.append(el("tr", {}, el("td", {}, label), el("td", {}, fmt(p[k], 3))));
    }
    if (p.reversed) t.append(el("tr", {}, el("td", {}, "direction"), el("td", {}, "to → from")));
    box.append(t);
    for (const v of p.violations || []) box.append(el("div", { class: "viol" }, v));
    return box;
  }

  function colourFor(value, lo, hi) {
    if (value === null || value === undefined) return "#999";
    const x = hi > lo ? (value - lo) / (hi - lo) : 0.5;
    return COLOURS[Math.max(0, Math.min(COLOURS.length - 1, Math.round(x * (COLOURS.length - 1))))];
  }

  // ---------------------------------------------------------------- place names
  const LABEL_PRIORITY = { terminal: 0, delivery: 1, field: 2, entry: 2, compressor: 3 };

  function placeName(p) {
    // "Lahore (SNGPL city gate)" -> "Lahore"; long names are cut at a word; the id when there is no name
    let name = (p.name || p.node || p.id || "").split(" (")[0].split(",")[0].trim();
    if (name.length > 22) name = name.slice(0, 22).replace(/\s+\S*$/, "") + "…";
    return p.kind === "compressor" ? (p.id || name) : name;
  }

  function placeLabel(ll, p) {
    const label = L.tooltip({ permanent: true, direction: "right", offset: [7, 0], className: "lp-place lp-place-" + p.kind, interactive: false })
      .setLatLng(ll).setContent(placeName(p));
    label.options.priority = LABEL_PRIORITY[p.kind] ?? 4;
    state.markerLayer.addLayer(label);
  }

  function declutterLabels() {
    // show the most important names first; a name that would overlap one already shown is hidden
    const labels = [];
    state.markerLayer.eachLayer((l) => { if (l instanceof L.Tooltip && l.getElement()) labels.push(l); });
    labels.sort((a, b) => a.options.priority - b.options.priority);
    const shown = [];
    for (const l of labels) {
      const e = l.getElement();
      e.style.visibility = "visible";
      const r = e.getBoundingClientRect();
      const hit = shown.some((q) => r.left < q.right && r.right > q.left && r.top < q.bottom && r.bottom > q.top);
      if (hit) e.style.visibility = "hidden"; else shown.push(r);
    }
  }
  map.on("zoomend moveend", () => { if (state.markerLayer) declutterLabels(); });

  function drawNetwork(fitBounds) {
    const res = state.result || state.layout;
    if (!res) return;
    if (state.pipeLayer) state.pipeLayer.remove();
    if (state.markerLayer) state.markerLayer.remove();
    const metric = METRIC[$("colour").value];
    const pipes = res.geojson.features.filter((f) => f.properties.kind === "pipe");
    const values = pipes.map((f) => f.properties[metric.prop]).filter((v) => v !== null && v !== undefined);
    const lo = values.length ? Math.min(...values) : 0;
    const hi = values.length ? Math.max(...values) : 1;
    state.pipeLayer = L.featureGroup().addTo(map);
    state.markerLayer = L.featureGroup().addTo(map);
    for (const f of pipes) {
      const p = f.properties;
      const latlngs = f.geometry.coordinates.map((c) => [c[1], c[0]]);
      const bad = (p.violations || []).length > 0;
      if (bad) L.polyline(latlngs, { color: "#e00000", weight: 14, opacity: 0.45, className: "lp-violation-halo", interactive: false }).addTo(state.pipeLayer);
      const width = p.nominal_in ? Math.max(2.5, Math.min(7, p.nominal_in / 8)) : 3;
      const line = L.polyline(latlngs, {
        color: colourFor(p[metric.prop], lo, hi), weight: width, opacity: 0.95, dashArray: bad ? "8 5" : null,
        className: "lp-pipe" + (bad ? " lp-violation" : ""),
      }).addTo(state.pipeLayer);
      line.bindTooltip(tooltip(p), { sticky: true });
      if (bad) {  // a ring at the middle, so that short pipes in violation are seen at any zoom
        const mid = L.latLng((latlngs[0][0] + latlngs[1][0]) / 2, (latlngs[0][1] + latlngs[1][1]) / 2);
        L.circleMarker(mid, { radius: 9, color: "#e00000", weight: 3, fill: false, className: "lp-violation-ring" })
          .bindTooltip(tooltip(p)).addTo(state.pipeLayer);
      }
      const node = line.getElement();
      if (node) { node.setAttribute("data-id", p.id); node.setAttribute("data-value", String(p[metric.prop])); }
    }
    for (const f of res.geojson.features) {
      const p = f.properties;
      if (p.kind === "pipe") continue;
      const ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      const bad = (p.violations || []).length > 0;
      let m;
      if (p.kind === "junction") {
        m = L.circleMarker(ll, { radius: bad ? 6 : 3, color: bad ? "#e00000" : "#555", weight: bad ? 3 : 1, fillColor: "#fff", fillOpacity: 1, className: "lp-junction" });
      } else {
        const st = KIND_STYLE[p.kind];
        const size = p.kind === "delivery" ? 12 : 16;
        m = L.marker(ll, {
          icon: L.divIcon({ className: "lp-icon lp-" + p.kind + (bad ? " lp-violation" : ""), html: shapeSvg(st.shape, st.color, size, bad), iconSize: [size, size] }),
          zIndexOffset: p.kind === "compressor" ? 500 : 0,
        });
      }
      m.bindTooltip(tooltip(p));
      if (p.kind !== "junction") placeLabel(ll, p);
      const nodeId = p.kind === "junction" ? p.id : p.node;
      if (nodeId) m.on("click", () => addToRoute(nodeId));
      m.addTo(state.markerLayer);
    }
    drawLegend(metric, lo, hi, res.geojson.skipped, res.geojson.solved);
    declutterLabels();
    const bounds = L.latLngBounds([]);
    if (state.pipeLayer.getLayers().length) bounds.extend(state.pipeLayer.getBounds());
    if (state.markerLayer.getLayers().length) bounds.extend(state.markerLayer.getBounds());
    if (fitBounds && bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 10 });
      ensureWorld(bounds);
    }
  }

  function drawLegend(metric, lo, hi, skipped, solved) {
    if (state.legend) state.legend.remove();
    const legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      const box = el("div", { class: "legend", id: "legend" });
      if (solved) {
        box.append(el("div", {}, el("b", {}, "Pipes: " + metric.label)));
        const bar = el("div", { class: "bar" });
        bar.style.background = "linear-gradient(to right," + COLOURS.join(",") + ")";
        box.append(bar, el("div", { class: "ends" }, el("span", {}, fmt(lo, 1)), el("span", {}, fmt(hi, 1))));
      } else {
        box.append(el("div", {}, el("b", {}, "Pipes (grey): no results, the scenario has no solution")));
      }
      for (const k of Object.keys(KIND_STYLE)) {
        const row = el("div");
        row.innerHTML = shapeSvg(KIND_STYLE[k].shape, KIND_STYLE[k].color, 12, false); // fixed markup, no data
        row.append(KIND_STYLE[k].label);
        box.append(row);
      }
      const v = el("div");
      v.innerHTML = shapeSvg("circle", "#fff", 12, true);
      v.append("violation (red ring / halo)");
      box.append(v);
      if (skipped) box.append(el("div", { id: "legend-skipped" }, skipped + " component(s) without coordinates not drawn"));
      return box;
    };
    legend.addTo(map);
    state.legend = legend;
  }

  // ---------------------------------------------------------------- tables
  function table(id, cols, rows, rowClass) {
    const t = $(id);
    t.replaceChildren();
    const isText = (c) => rows.length > 0 && typeof rows[0][c[0]] === "string";
    t.append(el("thead", {}, el("tr", {}, ...cols.map((c) => el("th", isText(c) ? { class: "text" } : {}, c[1])))));
    const body = el("tbody");
    for (const r of rows) {
      const tr = el("tr", { "data-id": r.id, title: r.control_text || "" }, ...cols.map((c) => el("td", typeof r[c[0]] === "string" ? { class: "text" } : {}, fmt(r[c[0]], c[2]))));
      const cls = rowClass ? rowClass(r) : "";
      if (cls) tr.className = cls;
      body.append(tr);
    }
    t.append(body);
  }

  function showLayout(lay, problems) {
    state.result = null;
    state.layout = lay;
    $("totals").replaceChildren();
    $("violations").replaceChildren(el("ul", {}, ...problems.map((p) => el("li", {}, p))));
    for (const id of ["deliveries", "compressors", "units", "supplies"]) $(id).replaceChildren();
    $("units-title").hidden = true;
    $("profile").replaceChildren();
    $("profile-note").textContent = "";
    $("node-ids").replaceChildren(...lay.nodes.map((n) => el("option", { value: n })));
    if (!$("route").value.split(",").every((n) => lay.nodes.includes(n.trim()))) $("route").value = "";
    $("results").dataset.scenario = lay.scenario;
    drawNetwork(true);
  }

  function showResult(res) {
    state.result = res;
    state.layout = null;
    const tot = res.totals;
    const cards = [
      ["throughput MMSCFD", fmt(tot.throughput_mmscfd, 0)], ["demand MMSCFD", fmt(tot.demand_mmscfd, 0)],
      ["compressor power MW", fmt(tot.power_mw, 1)], ["fuel MMSCFD", fmt(tot.fuel_mmscfd, 2)],
      ["linepack MMscf", fmt(tot.linepack_mmscf, 0)], ["violations", String(tot.violations)],
    ];
    $("totals").replaceChildren(...cards.map(([k, v]) => el("div", {}, el("b", {}, v), k)));
    const vdiv = $("violations");
    vdiv.replaceChildren();
    if (res.violations.length) vdiv.append(el("ul", {}, ...res.violations.map((v) => el("li", { "data-id": v.id }, v.text))));
    else vdiv.append(el("div", { class: "none" }, "No violations."));
    for (const w of res.warnings) vdiv.append(el("div", {}, "warning: " + w));
    const gasQuality = res.deliveries.some((r) => r.gcv_mj_m3 != null);
    const thermal = res.deliveries.some((r) => r.temperature_c != null) || res.compressors.some((r) => r.discharge_c != null);
    table("deliveries", [["id", "delivery"], ["category", "category"], ["demand_mmscfd", "demand MMSCFD", 0],
      ["p_barg", "p barg", 1], ["p_min_barg", "min barg", 1], ["maop_barg", "MAOP barg", 1],
      ["margin_bar", "margin bar", 1], ["status_text", "status"],
      ...(gasQuality ? [["gcv_mj_m3", "GCV MJ/m3", 2], ["wobbe_mj_m3", "Wobbe MJ/m3", 2], ["h2_mol_pct", "H2 mol %", 2],
        ["energy_mw", "energy MW", 0], ["quality_text", "quality"]] : []),
      ...(thermal ? [["temperature_c", "T C", 1]] : [])],
      res.deliveries.map((r) => ({ ...r, status_text: STATUS_TEXT[r.status] || r.status,
        quality_text: r.quality == null ? "-" : (r.quality === "ok" ? "ok" : "out of limits") })),
      (r) => (r.status === "ok" && r.quality !== "out_of_limits" ? "" : "bad"));
    table("compressors", [["id", "station"], ["control", "control"], ["suction_barg", "suction barg", 1],
      ["discharge_barg", "disch. barg", 1], ["ratio", "ratio", 3], ["flow_mmscfd", "flow MMSCFD", 0],
      ["power_text", "power / max MW"], ["fuel_mmscfd", "fuel MMSCFD", 2],
      ...(thermal ? [["suction_c", "suction C", 1], ["discharge_c", "disch. C", 1], ["outlet_c", "outlet C", 1],
        ["cooler_mw", "cooler MW", 2]] : [])],
      res.compressors.map((r) => ({ ...r, power_text: fmt(r.power_mw, 1) + " / " + (r.power_max_mw == null ? "-" : fmt(r.power_max_mw, 1)) })),
      (r) => (r.violation || r.over_temperature_limit ? "bad" : r.at_bound ? "warn" : ""));
    const ownGas = res.supplies.some((r) => r.own_gas_mmscfd != null);
    const units = res.units || [];
    $("units-title").hidden = units.length === 0;
    table("units", [["id", "unit"], ["configuration", "config."], ["state", "state"], ["speed_rpm", "speed /min", 0],
      ["flow_m3_s", "flow m3/s", 2], ["head_kj_per_kg", "head kJ/kg", 1], ["efficiency", "eff.", 3],
      ["power_mw", "power MW", 2], ["power_avail_mw", "avail. MW", 2], ["surge_pct", "surge %", 0],
      ["choke_pct", "choke %", 0]], units, (r) => (r.limited ? "warn" : ""));
    table("supplies", [["id", "supply"], ["kind", "kind"], ["mode", "mode"], ["supply_mmscfd", "supply MMSCFD", 0],
      ...(ownGas ? [["own_gas_mmscfd", "own gas MMSCFD", 0]] : []),
      ["capacity_mmscfd", "capacity MMSCFD", 0], ["p_barg", "p barg", 1]], res.supplies);
    $("basis").textContent = "MMSCFD: " + tot.basis + "; columns and totals add up (own gas: a source's MMSCFD of its own gas)";
    const dl = $("node-ids");
    dl.replaceChildren(...res.nodes.map((n) => el("option", { value: n })));
    for (const fmtName of ["json", "csv", "geojson"]) {
      const q = new URLSearchParams({ network: res.network, scenario: res.scenario });
      $("dl-" + fmtName).href = "/api/download/" + fmtName + "?" + q.toString();
    }
    if (res.profile) { $("route").value = res.profile.route.join(","); drawProfile(res.profile); }
    else {
      $("profile").replaceChildren();
      $("route").value = "";
      $("profile-note").textContent = "type a route (node ids) to see its profile";
    }
    for (const [name, view] of Object.entries(extraViews)) view($("extra-views"), res, name);
    drawNetwork(true);
    $("results").dataset.scenario = res.scenario;
    setStatus(`${res.label} · scenario ${res.scenario}: converged in ${res.iterations} iterations, ` +
      `${res.violations.length} violation(s)`, "done");
  }

  // ---------------------------------------------------------------- profile (plain SVG)
  function drawProfile(prof) {
    const svg = $("profile");
    const NS = "http://www.w3.org/2000/svg";
    const mk = (tag, attrs, text) => {
      const e = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      if (text !== undefined) e.textContent = text;
      return e;
    };
    svg.replaceChildren();
    const W = svg.clientWidth || 800, H = svg.clientHeight || 180;
    const m = { l: 46, r: 12, t: 10, b: 26 };
    const pts = prof.points;
    const xs = pts.map((p) => p.km), ys = pts.map((p) => p.p_barg);
    for (const p of pts) { if (p.maop_barg != null) ys.push(p.maop_barg); if (p.p_min_barg != null) ys.push(p.p_min_barg); }
    const x1 = Math.max(...xs) || 1, y0 = Math.floor(Math.min(...ys) / 10) * 10, y1 = Math.ceil(Math.max(...ys) / 10) * 10 || 10;
    const X = (v) => m.l + (v / x1) * (W - m.l - m.r);
    const Y = (v) => H - m.b - ((v - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
    for (let v = y0; v <= y1; v += 10) {
      svg.append(mk("line", { x1: m.l, x2: W - m.r, y1: Y(v), y2: Y(v), class: "profile-grid" }));
      svg.append(mk("text", { x: m.l - 4, y: Y(v) + 3, "text-anchor": "end", class: "profile-label" }, String(v)));
    }
    svg.append(mk("line", { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: "profile-axis" }));
    svg.append(mk("text", { x: 4, y: m.t + 8, class: "profile-label" }, "barg"));
    svg.append(mk("polyline", { points: pts.map((p) => X(p.km) + "," + Y(p.p_barg)).join(" "), class: "profile-line" }));
    const candidates = [];
    for (const p of pts) {
      if (p.node === null) continue;
      const x = X(p.km);
      if (p.maop_barg != null) svg.append(mk("line", { x1: x - 5, x2: x + 5, y1: Y(p.maop_barg), y2: Y(p.maop_barg), class: "profile-maop" }));
      if (p.p_min_barg != null) svg.append(mk("line", { x1: x - 5, x2: x + 5, y1: Y(p.p_min_barg), y2: Y(p.p_min_barg), class: "profile-pmin" }));
      svg.append(mk("circle", { cx: x, cy: Y(p.p_barg), r: 2.5, fill: "#1f5fa8" }));
      candidates.push({ x, node: p.node, onRoute: prof.route.includes(p.node) });
    }
    // node names under the axis: the route's nodes first, then the others, none overlapping another or the edges
    candidates.sort((a, b) => (b.onRoute - a.onRoute) || (a.x - b.x));
    const placed = [];
    for (const c of candidates) {
      const t = mk("text", { x: c.x, y: H - m.b + 12, "text-anchor": "middle", class: "profile-label profile-node" }, c.node);
      svg.append(t);
      const w = t.getComputedTextLength ? t.getComputedTextLength() : c.node.length * 6;
      let left = c.x - w / 2;
      left = Math.max(2, Math.min(left, W - 2 - w));  // keep the name inside the plot
      const right = left + w;
      if (placed.some((q) => left < q.right + 6 && right > q.left - 6)) { t.remove(); continue; }
      t.setAttribute("x", String(left));
      t.setAttribute("text-anchor", "start");
      placed.push({ left, right });
    }
    $("profile-note").textContent = `${fmt(x1, 0)} km along the route; red: MAOP, orange: minimum pressure at route nodes`;
  }

  function addToRoute(nodeId) {
    const parts = $("route").value.split(",").map((x) => x.trim()).filter((x) => x);
    if (parts[parts.length - 1] !== nodeId) parts.push(nodeId);
    $("route").value = parts.join(",");
    $("profile-note").textContent = "route: click more nodes, then Show profile";
  }

  async function showProfile() {
    const res = state.result;
    if (!res) return;
    const route = $("route").value.split(",").map((s) => s.trim()).filter((s) => s);
    try {
      const prof = await api("/api/profile", { network: res.network, scenario: res.scenario, route });
      drawProfile(prof);
    } catch (e) {
      $("profile-note").textContent = "profile: " + [e.message, ...e.problems].join("; ");
    }
  }

  // ---------------------------------------------------------------- networks, scenarios, solve
  function fillNetworks(selectToken) {
    const sel = $("network");
    sel.replaceChildren(...state.networks.map((n) => el("option", { value: n.token }, n.label)));
    sel.value = selectToken;
    fillScenarios();
  }

  function currentNetwork() { return state.networks.find((n) => n.token === $("network").value); }

  function fillScenarios() {
    const net = currentNetwork();
    const sel = $("scenario");
    const opts = net.scenarios.length ? net.scenarios.map((s) => el("option", { value: s.name, title: s.description }, s.name))
      : [el("option", { value: "" }, "(as written)")];
    sel.replaceChildren(...opts);
    sel.value = net.default_scenario || (net.scenarios[0] ? net.scenarios[0].name : "");
  }

  async function solve() {
    const net = currentNetwork();
    const scenario = $("scenario").value;
    setStatus(`Solving ${scenario || "the network"}…`, "solving");
    try {
      showResult(await api("/api/solve", { network: net.token, scenario }));
    } catch (e) {
      setStatus(`${net.label} · ${scenario || "as written"}: ${e.message}` +
        (e.problems.length ? " — " + e.problems.join("; ") : ""), "error");
      try {  // still show where everything is
        showLayout(await api("/api/layout", { network: net.token, scenario }), e.problems.length ? e.problems : [e.message]);
      } catch (e2) { /* the status line already says what went wrong */ }
    }
  }

  async function upload(ev) {
    ev.preventDefault();
    const box = $("upload-errors");
    box.hidden = true;
    box.replaceChildren();
    const files = Array.from($("upload-file").files);
    if (!files.length) return;
    const total = files.reduce((s, f) => s + f.size, 0);
    const fail = (title, problems) => {
      box.append(el("strong", {}, title), el("ul", {}, ...problems.map((p) => el("li", {}, p))));
      box.hidden = false;
      setStatus("upload refused: " + title, "error");
    };
    if (total > state.config.max_upload_bytes) {
      fail("upload too large", [`${total} bytes; the limit is ${state.config.max_upload_bytes} bytes`]);
      return;
    }
    setStatus("Checking the uploaded network…", "uploading");
    try {
      const docs = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
      const entry = await api("/api/upload", { files: docs });
      state.networks = (await api("/api/networks")).networks;
      fillNetworks(entry.token);
      await solve();
    } catch (e) {
      fail(e.message, e.problems.length ? e.problems : [e.message]);
    }
  }

  async function start() {
    try {
      state.config = await api("/api/config");
      await loadBasemap();
      state.networks = (await api("/api/networks")).networks;
      fillNetworks(state.config.initial_network || "psgp");
      $("network").addEventListener("change", () => { fillScenarios(); solve(); });
      $("scenario").addEventListener("change", solve);
      $("solve").addEventListener("click", solve);
      $("colour").addEventListener("change", () => drawNetwork(false));
      $("profile-btn").addEventListener("click", showProfile);
      $("upload-form").addEventListener("submit", upload);
      await solve();
    } catch (e) {
      setStatus("could not start: " + e.message, "error");
    }
  }

  start();
})();
