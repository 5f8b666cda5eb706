// linepack supply view: terminal inventories over time, send-out and unserved gas (plain SVG, no libraries).
"use strict";

const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
const SVGNS = "http://www.w3.org/2000/svg";

function el(name, attrs, parent) {
  const e = document.createElementNS(SVGNS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

function frame(svg, times, yMax, unit) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const vb = svg.viewBox.baseVal;
  const W = vb.width, H = vb.height, L = 70, R = 15, T = 10, B = 28;
  const t0 = Date.parse(times[0]), t1 = Date.parse(times[times.length - 1]);
  const x = (t) => L + (W - L - R) * (Date.parse(t) - t0) / Math.max(t1 - t0, 1);
  const y = (v) => T + (H - T - B) * (1 - v / Math.max(yMax, 1e-9));
  el("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#999" }, svg);
  el("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#999" }, svg);
  for (let k = 0; k <= 4; k++) {
    const v = yMax * k / 4;
    el("line", { x1: L, y1: y(v), x2: W - R, y2: y(v), stroke: "#eee" }, svg);
    const tx = el("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, svg);
    tx.textContent = v >= 1000 ? Math.round(v).toLocaleString() : v.toFixed(0);
  }
  const step = Math.max(1, Math.round(times.length / 8));
  for (let i = 0; i < times.length; i += step) {
    const tx = el("text", { x: x(times[i]), y: H - 10, "text-anchor": "middle" }, svg);
    tx.textContent = times[i].slice(5, 10);
  }
  const u = el("text", { x: 4, y: T + 10 }, svg);
  u.textContent = unit;
  return { x, y };
}

function path(points) {
  return points.map((p, i) => (i ? "L" : "M") + p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" ");
}

function draw(data) {
  const times = data.times;
  const inv = document.getElementById("inventory");
  const yMax = Math.max(...data.terminals.map((t) => t.capacity_m3)) * 1.1;
  const f = frame(inv, times, yMax, "m3");
  const legend = document.getElementById("legend");
  legend.textContent = "";
  data.terminals.forEach((t, j) => {
    const c = COLOURS[j % COLOURS.length];
    el("path", { d: path(t.inventory_m3.map((v, i) => [f.x(times[i]), f.y(v || 0)])), fill: "none", stroke: c,
                 "stroke-width": 2 }, inv);
    for (const level of [t.capacity_m3, t.heel_m3]) {
      el("line", { x1: f.x(times[0]), x2: f.x(times[times.length - 1]), y1: f.y(level), y2: f.y(level), stroke: c,
                   "stroke-dasharray": "4 4", "stroke-width": 1 }, inv);
    }
    for (const a of t.arrivals) {
      const m = el("text", { x: f.x(a.time), y: f.y(t.capacity_m3) - 4, fill: c, "text-anchor": "middle" }, inv);
      m.textContent = a.status === "cancelled" ? "✕" : "▼";
      const title = el("title", {}, m);
      title.textContent = `${a.vessel} ${a.time} (${a.status})`;
    }
    const s = document.createElement("span");
    const i = document.createElement("i");
    i.style.background = c;
    s.appendChild(i);
    s.appendChild(document.createTextNode(`${t.id}: ${t.name}`));
    legend.appendChild(s);
  });
  const so = document.getElementById("sendout");
  const sMax = Math.max(1, ...data.terminals.flatMap((t) => t.send_out_mmscfd.map((v) => v || 0))) * 1.1;
  const g = frame(so, times, sMax, "MMSCFD");
  data.terminals.forEach((t, j) => {
    const pts = [];
    t.send_out_mmscfd.forEach((v, i) => { pts.push([g.x(times[i]), g.y(v || 0)]); pts.push([g.x(times[i + 1]), g.y(v || 0)]); });
    el("path", { d: path(pts), fill: "none", stroke: COLOURS[j % COLOURS.length], "stroke-width": 1.5 }, so);
  });
  const un = document.getElementById("unserved");
  const cats = Object.keys(data.unserved_mmscfd);
  const total = times.slice(1).map((_, i) => cats.reduce((s, c) => s + (data.unserved_mmscfd[c][i] || 0), 0));
  const h = frame(un, times, Math.max(1, ...total) * 1.1, "MMSCFD");
  const base = total.map(() => 0);
  cats.forEach((c, j) => {
    data.unserved_mmscfd[c].forEach((v, i) => {
      if (!v) return;
      const x0 = h.x(times[i]), x1 = h.x(times[i + 1]);
      el("rect", { x: x0, width: Math.max(x1 - x0 - 1, 1), y: h.y(base[i] + v), height: h.y(base[i]) - h.y(base[i] + v),
                   fill: COLOURS[(j + 3) % COLOURS.length] }, un).appendChild(document.createElementNS(SVGNS, "title")).textContent = c;
      base[i] += v;
    });
  });
  document.getElementById("events").textContent =
    data.events.map((e) => `${e.time}  ${e.text}`).join("\n") || "no events: every delivery served";
}

async function run() {
  const status = document.getElementById("status");
  status.dataset.state = "loading";
  status.textContent = "Running the supply chain…";
  const q = new URLSearchParams({
    days: document.getElementById("days").value,
    variant: document.getElementById("variant").value,
    network: document.getElementById("network").value,
  });
  try {
    const r = await fetch("/api/supply?" + q.toString());
    const data = await r.json();
    if (!r.ok) throw new Error((data.problems || [data.error]).join("; "));
    draw(data);
    status.dataset.state = "ok";
    status.textContent = `${data.days} days from ${data.start.slice(0, 10)}, ${data.variant}, network ${data.network}: ` +
      `${data.summary.cargoes} cargoes, unserved ${data.summary.unserved_mmscf} MMSCF (run ${data.summary.cpu_s} s CPU)`;
  } catch (err) {
    status.dataset.state = "error";
    status.textContent = "error: " + err.message;
  }
}

document.getElementById("run").addEventListener("click", run);
run();
