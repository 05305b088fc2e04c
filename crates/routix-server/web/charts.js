// Small SVG charts for the admin dashboard: stacked bars per day and lines over days. Drawn
// with SVG attributes only (the page's CSP refuses inline styles), numbers in the page's digits,
// and mirrored in right-to-left pages so time runs in the reading direction.

import { h } from "./dom.js";
import { num, getLang } from "./i18n.js";

const NS = "http://www.w3.org/2000/svg";
const W = 480, H = 200;
const PAD = { top: 12, bottom: 26, side: 34 };
/// Distinguishable in light and dark themes, and for the common colour-vision deficiencies.
export const PALETTE = ["#2f7de1", "#e8833a", "#3aa675", "#d64550", "#8e6bd1", "#b8a038", "#5b6b7c", "#c25fa0"];

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/// A round upper bound for the y axis (1, 2, 5 × 10ⁿ).
export function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v);
}

/// The frame shared by both charts: y grid with labels, x labels on some days, and a
/// function from day index to x (mirrored when the page is right to left).
function frame(labels, max, title) {
  const rtl = getLang() === "fa" || document.documentElement.dir === "rtl";
  const inner = W - PAD.side * 2, n = Math.max(1, labels.length);
  const step = inner / n;
  const xOf = (i) => (rtl ? W - PAD.side - (i + 1) * step : PAD.side + i * step);
  const yOf = (v) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": title, preserveAspectRatio: "xMidYMid meet" },
    svg("title", {}, title));
  const axisX = rtl ? W - PAD.side + 6 : PAD.side - 6;
  for (const f of [0, 0.5, 1]) {
    const y = yOf(max * f);
    root.append(svg("line", { x1: PAD.side, x2: W - PAD.side, y1: y, y2: y, stroke: "currentColor", "stroke-opacity": f === 0 ? 0.5 : 0.15 }),
      svg("text", { x: axisX, y: y + 4, "text-anchor": rtl ? "start" : "end", "font-size": 12, fill: "currentColor" }, num(max * f)));
  }
  // At most about six day labels, evenly spaced back from the last day, so they never overlap.
  const every = Math.max(1, Math.ceil(n / 6));
  labels.forEach((l, i) => {
    if ((n - 1 - i) % every !== 0) return;
    root.append(svg("text", { x: xOf(i) + step / 2, y: H - 8, "text-anchor": "middle", "font-size": 12, fill: "currentColor" }, l));
  });
  return { root, xOf, yOf, step };
}

function legend(series) {
  return h("ul", { class: "chart-legend" }, series.map((s, i) => {
    const dot = svg("svg", { width: 12, height: 12, viewBox: "0 0 12 12", "aria-hidden": "true" }, svg("rect", { width: 12, height: 12, rx: 2, fill: s.color || PALETTE[i % PALETTE.length] }));
    return h("li", {}, dot, " ", s.label);
  }));
}

/// Stacked bars: one bar per label, one segment per series (`values[i]` for label i).
export function stackedBars({ title, labels, series }) {
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] || 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const { root, xOf, yOf, step } = frame(labels, max, title);
  const width = Math.max(1, step * 0.7), gap = (step - width) / 2;
  labels.forEach((l, i) => {
    let base = 0;
    series.forEach((s, k) => {
      const v = s.values[i] || 0;
      if (v <= 0) return;
      const y0 = yOf(base), y1 = yOf(base + v);
      root.append(svg("rect", { class: "bar", x: xOf(i) + gap, y: y1, width, height: Math.max(0.5, y0 - y1), fill: s.color || PALETTE[k % PALETTE.length], "data-series": s.key },
        svg("title", {}, `${l} · ${s.label}: ${num(v)}`)));
      base += v;
    });
  });
  return h("figure", { class: "chart-box" }, root, h("figcaption", {}, h("strong", {}, title), legend(series)));
}

/// Lines over the labels, one per series, with a dot per point.
export function lines({ title, labels, series }) {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const { root, xOf, yOf, step } = frame(labels, max, title);
  series.forEach((s, k) => {
    const color = s.color || PALETTE[k % PALETTE.length];
    const points = s.values.map((v, i) => [xOf(i) + step / 2, yOf(v || 0)]);
    root.append(svg("polyline", { class: "line", points: points.map((p) => p.join(",")).join(" "), fill: "none", stroke: color, "stroke-width": 2, "stroke-linejoin": "round", "data-series": s.key }));
    points.forEach(([x, y], i) => root.append(svg("circle", { cx: x, cy: y, r: labels.length > 60 ? 1.5 : 3, fill: color },
      svg("title", {}, `${labels[i]} · ${s.label}: ${num(s.values[i] || 0)}`))));
  });
  return h("figure", { class: "chart-box" }, root, h("figcaption", {}, h("strong", {}, title), legend(series)));
}
