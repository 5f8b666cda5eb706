/* linepack: a day-ahead schedule (set-points, station power, linepack, delivery margin) as small SVG charts,
   with the binding limits by hour. No external requests; text from the server is inserted as text only. */
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                   "#bcbd22", "#17becf"];
  const $ = (id) => document.getElementById(id);

  function svg(tag, attrs) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  }

  function text(parent, tag, content, cls) {
    const e = document.createElement(tag);
    e.textContent = content;
    if (cls) e.className = cls;
    parent.append(e);
    return e;
  }

  // a line through (x, y); a step line holds each value until the next x; null values lift the pen
  function path(xs, ys, sx, sy, step) {
    let d = "";
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      if (ys[i] === null) { pen = false; continue; }
      if (step && pen) d += "L" + sx(xs[i]).toFixed(1) + "," + sy(ys[i - 1]).toFixed(1);
      d += (pen ? "L" : "M") + sx(xs[i]).toFixed(1) + "," + sy(ys[i]).toFixed(1);
      pen = true;
    }
    return d;
  }

  function chart(c) {
    const box = document.createElement("div");
    box.className = "chart";
    text(box, "h3", c.title + " [" + c.unit + "]");
    const W = 520, H = 220, L = 56, R = 8, T = 6, B = 20;
    const s = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img" });
    const vals = [].concat(...c.lines.map((l) => l.values)).filter((v) => v !== null);
    if (!vals.length) { box.append(document.createTextNode("no data")); return box; }
    let lo = Math.min(...vals), hi = Math.max(...vals);
    if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
    const x0 = c.hours[0], x1 = c.hours[c.hours.length - 1] || 1;
    const sx = (x) => L + (x - x0) / (x1 - x0 || 1) * (W - L - R);
    const sy = (y) => T + (hi - y) / (hi - lo) * (H - T - B);
    c.lines.forEach((l, j) => {
      s.append(svg("path", { d: path(c.hours, l.values, sx, sy, c.step), fill: "none",
                             stroke: COLOURS[j % COLOURS.length], "stroke-width": 1.4 }));
    });
    for (const [v, y] of [[hi, T + 8], [lo, H - B]]) {
      const t = svg("text", { x: 2, y: y, "font-size": 9, fill: "#444" });
      t.textContent = v.toPrecision(5);
      s.append(t);
    }
    const xt = svg("text", { x: W - R, y: H - 4, "font-size": 9, fill: "#444", "text-anchor": "end" });
    xt.textContent = "hours: " + x0.toFixed(1) + " to " + x1.toFixed(1);
    s.append(xt);
    box.append(s);
    const legend = document.createElement("div");
    legend.className = "legend";
    c.lines.forEach((l, j) => {
      const sp = text(legend, "span", "\u2501 " + l.name);
      sp.style.color = COLOURS[j % COLOURS.length];
    });
    box.append(legend);
    return box;
  }

  function fmt(v, digits) { return v === null ? "-" : v.toFixed(digits); }

  fetch("/api/day").then((r) => r.json()).then((data) => {
    $("title").textContent = "day-ahead schedule: " + data.network + ", scenario " + data.scenario + ", profile " +
      data.profile + "; " + data.grid;
    const info = $("info");
    if (!data.feasible) {
      text(info, "p", "no feasible schedule: the day cannot be run within its limits", "bad");
      for (const v of data.verdict) text(info, "p", v, "bad");
    }
    for (const n of data.notes) text(info, "p", "note: " + n, "note");
    const sm = data.summary;
    text(info, "p", "fuel " + fmt(sm.fuel_t[0], 2) + " t (default set-points " + fmt(sm.fuel_t[1], 2) +
      " t); energy cost " + fmt(sm.energy_cost_kusd[0], 1) + " kUSD (" + fmt(sm.energy_cost_kusd[1], 1) +
      "); lowest delivery margin " + fmt(sm.lowest_margin_bar[0], 2) + " bar (" + fmt(sm.lowest_margin_bar[1], 2) +
      "); linepack swing " + fmt(sm.linepack_swing_t[0], 0) + " t (" + fmt(sm.linepack_swing_t[1], 0) + ")");
    if (sm.replay_worst !== null) {
      text(info, "p", "replay in the transient simulator: " + (sm.replay_agrees ? "agrees" : "DOES NOT AGREE") +
        " (largest relative difference " + sm.replay_worst.toExponential(1) + ")", sm.replay_agrees ? "" : "bad");
    }
    for (const sw of data.switches) text(info, "p", "station switched: " + sw);
    const charts = $("charts");
    for (const c of data.charts) charts.append(chart(c));
    const b = $("binding");
    text(b, "h3", "Binding limits by period");
    const table = document.createElement("table");
    for (const row of data.binding) {
      const tr = document.createElement("tr");
      const h = Math.floor(row.start_h), m = Math.round((row.start_h - h) * 60);
      text(tr, "td", String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0"));
      text(tr, "td", row.limits.length ? row.limits.join("; ") : "none");
      table.append(tr);
    }
    b.append(table);
    $("status").textContent = "";
    $("status").dataset.state = "ready";
  }).catch((e) => {
    $("status").textContent = "could not load the schedule: " + e;
    $("status").dataset.state = "error";
  });
})();
