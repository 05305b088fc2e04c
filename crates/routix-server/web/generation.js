// A generation card: the five stages live while it works, then the picture with downloads.
// Used by the chat stream and the gallery; cards are rebuilt from each generation event.

import { api, download } from "./api.js";
import { h, fail, toast } from "./dom.js";
import { t, label, engineName, fmtTime, pct } from "./i18n.js";
import { publishButton } from "./youtube.js";

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

// Colour sets "Change colours" cycles through: primary, secondary, accent.
const PALETTES = [
  ["#e51b23", "#0d0d0f", "#ffd600"], ["#1e5eff", "#0b0b1a", "#00e5ff"], ["#00c853", "#0d1b12", "#ffffff"],
  ["#ff6d00", "#1a0d00", "#ffe082"], ["#aa00ff", "#12001f", "#ff4081"], ["#ffd600", "#111111", "#ff1744"],
];

let templateIds = null;
async function nextTemplate(g) {
  if (!templateIds) {
    const list = await api("GET", "/api/v1/templates");
    templateIds = (list.items || list).map((x) => ({ id: x.id, category: x.category }));
  }
  const here = templateIds.find((x) => x.id === g.template_id);
  const same = templateIds.filter((x) => here && x.category === here.category && x.id !== g.template_id);
  const pool = same.length ? same : templateIds.filter((x) => x.id !== g.template_id);
  return pool[Math.floor(Math.random() * pool.length)].id;
}

/// The re-edit buttons: new text, another layout, other colours. Free; each makes a new card.
function editActions(g, onCreated) {
  const send = (body, button) => {
    button.disabled = true;
    return api("POST", `/api/v1/generations/${g.id}/edit`, body)
      .then((x) => { if (x && onCreated) onCreated(x); })
      .catch(fail)
      .finally(() => { button.disabled = false; });
  };
  const row = h("div", { class: "actions edits" });
  const textBtn = h("button", { type: "button", class: "small ghost", "data-edit": "text" }, t("editText"));
  textBtn.addEventListener("click", () => {
    if (row.querySelector("form")) return;
    const field = h("input", { type: "text", maxlength: 200, dir: "auto", value: g.headline || "", "aria-label": t("editText"), "data-edit-input": "" });
    const form = h("form", { class: "edit-text" }, field, h("button", { type: "submit", class: "small" }, t("apply")));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const headline = field.value.trim();
      if (!headline) { field.focus(); return; }
      send({ headline }, form.querySelector("button")).then(() => form.remove());
    });
    row.append(form);
    field.focus();
  });
  const layoutBtn = h("button", { type: "button", class: "small ghost", "data-edit": "layout" }, t("anotherLayout"));
  layoutBtn.addEventListener("click", () => nextTemplate(g).then((id) => send({ template_id: id }, layoutBtn)).catch(fail));
  const colourBtn = h("button", { type: "button", class: "small ghost", "data-edit": "colours" }, t("changeColours"));
  colourBtn.addEventListener("click", () => send({ palette: PALETTES[Math.floor(Math.random() * PALETTES.length)] }, colourBtn));
  // Thumbs up / down: one rating per result, changed by pressing the other (or the same
  // again to take it back); ratings teach the matcher which layouts work.
  const thumbs = [[1, "👍", "rateUp"], [-1, "👎", "rateDown"]].map(([value, icon, name]) => {
    const on = g.rating === value;
    const b = h("button", { type: "button", class: "small ghost thumb" + (on ? " selected" : ""), "data-rate": value, "aria-pressed": String(on), "aria-label": t(name), title: t(name) }, icon);
    b.addEventListener("click", () => {
      const next = g.rating === value ? 0 : value;
      api("POST", `/api/v1/generations/${g.id}/rating`, { value: next })
        .then((x) => {
          g.rating = x ? x.rating : null;
          for (const other of row.querySelectorAll("[data-rate]")) {
            const pressed = Number(other.dataset.rate) === g.rating;
            other.classList.toggle("selected", pressed);
            other.setAttribute("aria-pressed", String(pressed));
          }
        })
        .catch(fail);
    });
    return b;
  });
  row.append(textBtn, layoutBtn, colourBtn, h("span", { class: "spacer" }), ...thumbs);
  return row;
}

/// The variants of a multi-image request, to pick from: the picked one shows in the frame.
function variantGrid(g, box) {
  const grid = h("div", { class: "variants", role: "group", "aria-label": t("variants") });
  for (const v of g.variants) {
    const tile = h("button", {
      type: "button", class: "variant" + (v.index === 0 ? " selected" : ""), "data-variant": v.index,
      "aria-pressed": String(v.index === 0), title: v.template_id || "",
    }, h("img", { src: v.preview_url, alt: t("variantN", { n: v.index + 1 }), width: 160, height: 90, loading: "lazy" }));
    tile.addEventListener("click", () => {
      for (const other of grid.children) {
        other.classList.toggle("selected", other === tile);
        other.setAttribute("aria-pressed", String(other === tile));
      }
      const card = box.closest(".gen-card");
      if (card) card.dataset.variant = String(v.index);
      const link = box.querySelector("a.frame-link");
      const img = box.querySelector("img");
      if (link) link.href = v.url;
      if (img) img.src = v.preview_url;
    });
    grid.append(tile);
  }
  return grid;
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
export function generationCard(g, { onDelete, onUpdate, onCreated } = {}) {
  const working = g.status === "queued" || g.status === "processing";
  const card = h("article", { class: "gen-card", "data-generation": g.id, "data-status": g.status, "aria-busy": working ? "true" : null });
  const status = h("p", { class: "gen-status" },
    h("span", { class: `badge s-${g.status}` }, t(g.status)), " ",
    h("span", { class: "muted" }, label("", g.algorithm)),
    working ? h("span", { class: "pct", "data-progress": g.progress }, pct(g.progress)) : null,
    h("span", { class: "spacer" }),
    h("time", { class: "muted small", datetime: g.created_at }, fmtTime(g.created_at)));
  const picture = frame(g);
  card.append(picture);
  if (g.status === "completed" && (g.variants || []).length > 1) card.append(variantGrid(g, picture));
  card.append(status);
  if (working) {
    card.append(h("progress", { max: 100, value: g.progress, "aria-label": t("stagesLabel") }));
  }
  card.append(h("p", { class: "prompt small", dir: "auto", title: g.prompt }, g.prompt));
  if (g.engine && g.status === "completed") {
    const made = t("engine", { e: engineName(g.engine) });
    card.append(h("p", { class: "muted small" }, g.fell_back && g.fallback_reason ? `${made} (${t("fellBack", { r: g.fallback_reason })})` : made));
    if (g.price && g.price.returned > 0) {
      card.append(h("p", { class: "muted small returned" }, t("returned", { n: g.price.returned, c: g.price.charged })));
    }
    if (g.headline_shortened_from) {
      card.append(h("p", { class: "muted small shortened", dir: "auto" }, t("shortened", { h: g.headline || "" })));
    }
    if (g.subject && g.subject.kind === "sticker" && g.subject.emoji) {
      card.append(h("p", { class: "muted small subject" }, t("subject", { s: `${g.subject.emoji} ${label("s_", g.subject.label)}` })));
    }
  }
  const actions = h("div", { class: "actions" });
  if (g.status === "completed") {
    for (const [f, name, ext] of FORMATS) {
      actions.append(h("button", {
        type: "button", class: "small", "data-download": f, "aria-label": t("downloadAs", { f: name }),
        onclick: () => {
          const v = Number(card.dataset.variant || 0);
          const which = v ? `&variant=${v}` : "";
          download(`/api/v1/generations/${g.id}/download?format=${f}${which}`, `routix-${g.id.slice(0, 8)}${v ? "-" + v : ""}.${ext}`).catch(fail);
        },
      }, t("download", { f: name })));
    }
  }
  if (working) {
    actions.append(h("button", { type: "button", class: "small ghost", "data-cancel": "", onclick: () => api("POST", `/api/v1/generations/${g.id}/cancel`, {}).then((x) => { if (onUpdate && x) onUpdate(x); }).catch(fail) }, t("cancel")));
  }
  if (g.status === "completed") {
    const star = h("button", {
      type: "button", class: "small ghost", "data-favorite": g.favorite ? "on" : "off", "aria-pressed": g.favorite ? "true" : "false",
      title: t(g.favorite ? "unfavorite" : "favorite"),
      onclick: () => api(g.favorite ? "DELETE" : "POST", `/api/v1/generations/${g.id}/favorite`)
        .then((x) => { if (onUpdate && x) onUpdate(x); else { g.favorite = x.favorite; star.textContent = x.favorite ? "★" : "☆"; star.dataset.favorite = x.favorite ? "on" : "off"; } })
        .catch(fail),
    }, g.favorite ? "★" : "☆");
    actions.append(star);
    actions.append(h("button", {
      type: "button", class: "small ghost", "data-share": "",
      onclick: () => api("POST", `/api/v1/generations/${g.id}/share`)
        .then((link) => shareBox(card, g, link))
        .catch(fail),
    }, t("share")));
    actions.append(publishButton(card, g));
  }
  if (onDelete) actions.append(h("button", { type: "button", class: "small danger", onclick: () => onDelete(g) }, t("delete")));
  if (actions.children.length) card.append(actions);
  if (g.status === "completed") card.append(editActions(g, onCreated));
  return card;
}

/// The live share link of a result, with copy and revoke.
function shareBox(card, g, link) {
  card.querySelector(".share-box")?.remove();
  const url = link.absolute_url || new URL(link.url, location.origin).href;
  const input = h("input", { type: "text", readonly: true, value: url, "aria-label": t("shareLink"), "data-share-url": "" });
  const box = h("div", { class: "share-box" }, input,
    h("button", { type: "button", class: "small", onclick: () => navigator.clipboard?.writeText(url).then(() => toast(t("copied"))).catch(() => input.select()) }, t("copy")),
    h("button", { type: "button", class: "small ghost", "data-unshare": "", onclick: () => api("DELETE", `/api/v1/generations/${g.id}/share`).then(() => { box.remove(); toast(t("unshared")); }).catch(fail) }, t("unshare")));
  card.append(box);
  input.select();
}
