// DOM helpers. User content is only ever set as text: `h` turns string children into text
// nodes, so nothing a user or the server wrote is parsed as HTML.

import { ApiError } from "./api.js";
import { t, has } from "./i18n.js";

/// Builds an element. `class`, `on<event>` handlers and attributes; `false`/null skip.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function toast(message) {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.remove("show"), 5000);
}

/// A readable, translated message for a failed request.
export function errorText(e) {
  if (e instanceof ApiError) {
    const key = "err_" + e.code;
    if (has(key)) return t(key, { m: e.message });
    return t("error", { m: e.message });
  }
  if (e instanceof TypeError) return t("err_network");
  return t("error", { m: e && e.message ? e.message : String(e) });
}

export function fail(e) { toast(errorText(e)); }

/// A labelled form field: <div class="field"><label>..</label>control</div>.
export function field(labelText, control, hint) {
  const wrap = h("div", { class: "field" }, h("label", { for: control.id }, labelText), control);
  if (hint) {
    const id = control.id + "-hint";
    control.setAttribute("aria-describedby", id);
    wrap.append(h("p", { class: "hint muted small", id }, hint));
  }
  return wrap;
}

/// A <select> from [value, label] pairs.
export function select(attrs, options, value) {
  const el = h("select", attrs, ...options.map(([v, l]) => h("option", { value: v }, l)));
  if (value !== undefined) el.value = value;
  return el;
}

/// The loading / error / empty states every view shares.
export const states = {
  loading: () => h("p", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), t("loading")),
  empty: (text, ...extra) => h("div", { class: "empty" }, h("p", {}, text), ...extra),
  error: (e, retry) => h("div", { class: "error-box", role: "alert" }, h("p", {}, errorText(e)),
    retry ? h("button", { type: "button", class: "ghost", onclick: retry }, t("retry")) : null),
};

/// Keeps a scroll container pinned to the bottom when it already was.
export function nearBottom(el) { return el.scrollHeight - el.scrollTop - el.clientHeight < 120; }
