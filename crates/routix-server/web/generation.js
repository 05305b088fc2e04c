// A generation card: the five stages live while it works, then the picture with downloads.
// Used by the chat stream and the gallery; cards are rebuilt from each generation event.

import { api, download } from "./api.js";
import { h, fail } from "./dom.js";
import { t, label, engineName, fmtTime, pct } from "./i18n.js";

const FORMATS = [["jpeg", "JPEG", "jpg"], ["webp", "WebP", "webp"], ["png", "PNG", "png"]];

function stageList(g) {
  const list = h("ol", { class: "stages", "aria-label": t("stagesLabel") });
  for (let n = 1; n <= 5; n++) {
    const record = (g.stages || []).find((s) => s.stage === n);
    const done = g.status === "completed" || Boolean(record && record.finished_at) || (g.status === "processing" && g.stage > n);
    const active = !done && g.status === "processing" && g.stage === n;
    const li = h("li", { class: done ? "done" : active ? "active" : "", "data-stage": n },
      h("span", { class: "dot", "aria-hidden": "true" }), t("stage" + n));
    if (active) li.setAttribute("aria-current", "step");
    list.append(li);
  }
  return list;
}

function frame(g) {
  const box = h("div", { class: "frame" });
  if (g.status === "completed" && (g.preview_url || g.result_url)) {
    box.append(h("a", { href: g.result_url || g.preview_url, target: "_blank", rel: "noopener", class: "frame-link", title: t("openFull") },
      h("img", { src: g.preview_url || g.result_url, alt: g.prompt, loading: "lazy", decoding: "async", width: 1280, height: 720 })));
  } else if (g.status === "failed" || g.status === "cancelled") {
    box.classList.add("ended");
    box.append(h("div", { class: "ended-text" },
      h("p", { class: g.status === "failed" ? "error" : "muted" }, g.status === "failed" ? (g.error || t("failed")) : t("cancelled")),
      g.cost ? h("p", { class: "muted small" }, t("refunded")) : null));
  } else {
    box.append(stageList(g));
  }
  return box;
}

/// Builds the card for `g`. `onDelete` adds a delete button (the gallery); `onUpdate` gets
/// the generation after a cancel (where no live event will bring it).
export function generationCard(g, { onDelete, onUpdate } = {}) {
  const working = g.status === "queued" || g.status === "processing";
  const card = h("article", { class: "gen-card", "data-generation": g.id, "data-status": g.status, "aria-busy": working ? "true" : null });
  const status = h("p", { class: "gen-status" },
    h("span", { class: `badge s-${g.status}` }, t(g.status)), " ",
    h("span", { class: "muted" }, label("", g.algorithm)),
    working ? h("span", { class: "pct", "data-progress": g.progress }, pct(g.progress)) : null,
    h("span", { class: "spacer" }),
    h("time", { class: "muted small", datetime: g.created_at }, fmtTime(g.created_at)));
  card.append(frame(g), status);
  if (working) {
    card.append(h("progress", { max: 100, value: g.progress, "aria-label": t("stagesLabel") }));
  }
  card.append(h("p", { class: "prompt small", dir: "auto", title: g.prompt }, g.prompt));
  if (g.engine && g.status === "completed") {
    const made = t("engine", { e: engineName(g.engine) });
    card.append(h("p", { class: "muted small" }, g.fell_back && g.fallback_reason ? `${made} (${t("fellBack", { r: g.fallback_reason })})` : made));
    if (g.subject && g.subject.kind === "sticker" && g.subject.emoji) {
      card.append(h("p", { class: "muted small subject" }, t("subject", { s: `${g.subject.emoji} ${label("s_", g.subject.label)}` })));
    }
  }
  const actions = h("div", { class: "actions" });
  if (g.status === "completed") {
    for (const [f, name, ext] of FORMATS) {
      actions.append(h("button", {
        type: "button", class: "small", "data-download": f, "aria-label": t("downloadAs", { f: name }),
        onclick: () => download(`/api/v1/generations/${g.id}/download?format=${f}`, `routix-${g.id.slice(0, 8)}.${ext}`).catch(fail),
      }, t("download", { f: name })));
    }
  }
  if (working) {
    actions.append(h("button", { type: "button", class: "small ghost", "data-cancel": "", onclick: () => api("POST", `/api/v1/generations/${g.id}/cancel`, {}).then((x) => { if (onUpdate && x) onUpdate(x); }).catch(fail) }, t("cancel")));
  }
  if (onDelete) actions.append(h("button", { type: "button", class: "small danger", onclick: () => onDelete(g) }, t("delete")));
  if (actions.children.length) card.append(actions);
  return card;
}
