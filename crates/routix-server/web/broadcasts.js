// Admin broadcasts as dismissible banners under the header. Loaded with the session
// (GET /api/v1/broadcasts/active) and kept current by the WebSocket's `broadcast` and
// `broadcast_ended` frames, which live.js passes on as `routix:broadcast` window events.

import { api, currentUser } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

let active = [];
const KEY = "routix.dismissedBroadcasts";

function dismissed() {
  try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (_) { return []; }
}

function dismiss(id) {
  // Only ids still shown are kept, so the list never grows without bound.
  const keep = dismissed().filter((d) => active.some((b) => b.id === d));
  try { localStorage.setItem(KEY, JSON.stringify([...keep, id])); } catch (_) { /* private mode */ }
  render();
}

function visible() {
  const now = Date.now(), gone = dismissed();
  return active.filter((b) => !gone.includes(b.id) && (!b.expires_at || Date.parse(b.expires_at) > now));
}

function banner(b) {
  const close = h("button", { type: "button", class: "ghost small", "aria-label": t("dismiss") }, "×");
  close.addEventListener("click", () => dismiss(b.id));
  return h("div", { class: `broadcast b-${b.level}`, role: b.level === "critical" ? "alert" : "status", "data-broadcast": b.id },
    h("p", { dir: "auto" }, b.message), close);
}

function render() {
  const box = document.getElementById("broadcasts");
  if (box) box.replaceChildren(...visible().map(banner));
}

/// The banners' place in the header; filled now and whenever broadcasts change.
export function broadcastBanners() {
  const box = h("div", { id: "broadcasts", class: "broadcasts" });
  box.replaceChildren(...visible().map(banner));
  return box;
}

/// Fetches what to show (signed-in users only); a failure just shows nothing.
export async function loadBroadcasts() {
  if (!currentUser) { active = []; render(); return; }
  try { active = await api("GET", "/api/v1/broadcasts/active"); } catch (_) { active = []; }
  render();
}

/// Applies a `broadcast` / `broadcast_ended` frame (from the WebSocket or this tab's admin).
export function applyBroadcastEvent(event) {
  if (event.type === "broadcast" && event.broadcast) {
    active = [event.broadcast, ...active.filter((b) => b.id !== event.broadcast.id)];
  } else if (event.type === "broadcast_ended") {
    active = active.filter((b) => b.id !== event.id);
  } else return;
  render();
}

window.addEventListener("routix:broadcast", (e) => applyBroadcastEvent(e.detail));
