/* linepack: estimates against readings, one small SVG chart per meter. No external requests; text from the
   server is inserted as text only. */
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);

  function svg(tag, attrs) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  }

  function path(xs, ys, sx, sy) {
    let d = "";
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      if (ys[i] === null || xs[i] === null) { pen = false; continue; }
      d += (pen ? "L" : "M") + sx(xs[i]).toFixed(1) + "," + sy(ys[i]).toFixed(1);
      pen = true;
    }
    return d;
  }

  function chart(m, hours) {
    const box = document.createElement("div");
    box.className = "chart";
    box.dataset.tag = m.tag;
    const h = document.createElement("h3");
    h.textContent = m.tag + " - " + m.what + " [" + m.unit + "]";
    box.append(h);
    const W = 460, H = 180, L = 50, R = 8, T = 6, B = 20;
    const s = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img" });
    const vals = [].concat(m.measured, m.low, m.high).filter((v) => v !== null);
    if (!vals.length) { box.append(document.createTextNode("no data")); return box; }
    let lo = Math.min(...vals), hi = Math.max(...vals);
    if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
    const x0 = hours[0], x1 = hours[hours.length - 1] || 1;
    const sx = (x) => L + (x - x0) / (x1 - x0 || 1) * (W - L - R);
    const sy = (y) => T + (hi - y) / (hi - lo) * (H - T - B);
    let band = "";
    for (let i = 0; i < hours.length; i++) if (m.high[i] !== null) band += (band ? "L" : "M") + sx(hours[i]) + "," + sy(m.high[i]);
    for (let i = hours.length - 1; i >= 0; i--) if (m.low[i] !== null) band += "L" + sx(hours[i]) + "," + sy(m.low[i]);
    if (band) s.append(svg("path", { d: band + "Z", fill: "#9cc2ec", opacity: 0.6 }));
    for (let i = 0; i < hours.length; i++) {
      if (m.measured[i] === null) continue;
      s.append(svg("circle", { cx: sx(hours[i]), cy: sy(m.measured[i]), r: 1.3, fill: "#888" }));
    }
    s.append(svg("path", { d: path(hours, m.estimated, sx, sy), fill: "none", stroke: "#1f6fc5", "stroke-width": 1.3 }));
    for (const i of m.rejected) {
      if (m.measured[i] === null) continue;
      const t = svg("text", { x: sx(hours[i]), y: sy(m.measured[i]) + 3, fill: "#c00", "font-size": 9, "text-anchor": "middle" });
      t.textContent = "x";
      s.append(t);
    }
    for (const [v, y] of [[hi, T + 8], [lo, H - B]]) {
      const t = svg("text", { x: 2, y: y, "font-size": 9, fill: "#444" });
      t.textContent = v.toPrecision(5);
      s.append(t);
    }
    const xt = svg("text", { x: W - R, y: H - 4, "font-size": 9, fill: "#444", "text-anchor": "end" });
    xt.textContent = "hours: " + x0.toFixed(1) + " to " + x1.toFixed(1);
    s.append(xt);
    box.append(s);
    return box;
  }

  function render(data) {
    const f = $("filter").value.trim().toLowerCase();
    const charts = $("charts");
    charts.replaceChildren();
    for (const m of data.meters) {
      if (f && !m.tag.toLowerCase().includes(f)) continue;
      charts.append(chart(m, data.hours));
    }
  }

  fetch("/api/estimate").then((r) => r.json()).then((data) => {
    $("title").textContent = data.network + " (" + data.scenario + "): " + data.times[0] + " to " +
      data.times[data.times.length - 1] + ", consistency " + data.consistency;
    const s = $("status");
    s.textContent = data.meters.length + " meters; " + (data.suspects.length ? data.suspects.length + " suspect" : "no suspect meter");
    s.dataset.state = "ok";
    const sus = $("suspects");
    for (const x of data.suspects) {
      const d = document.createElement("div");
      d.textContent = "suspect " + x.tag + ": " + x.why;
      sus.append(d);
    }
    $("filter").addEventListener("input", () => render(data));
    render(data);
  }).catch((e) => { $("status").textContent = "could not load the estimate: " + e; $("status").dataset.state = "error"; });
})();
