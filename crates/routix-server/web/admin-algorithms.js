// The admin panel's algorithms: each one's names, price, provider chain, availability and
// watermark rule, editable in place (the next request uses the change), beside its figures
// over the last 30 days (requests, success and fallback rates, p50/p95 working time).

import { api } from "./api.js";
import { h, fail, select, states, toast } from "./dom.js";
import { t, num, pct } from "./i18n.js";

const PROVIDERS = ["openai", "gemini", "stability", "sd-webui"];
const RULES = ["plan", "always", "never"];

const rate = (r) => (r === null || r === undefined ? "—" : pct(Math.round(r * 1000) / 10));
const seconds = (ms) => (ms === null || ms === undefined ? "—" : `${num(Math.round(ms / 100) / 10)}s`);

function algorithmRow(a) {
  const label = (key) => `${t(key)} — ${a.id}`;
  const nameEn = h("input", { type: "text", value: a.name_en, maxlength: 60, dir: "auto", "aria-label": label("nameEn"), "data-field": "name_en" });
  const nameFa = h("input", { type: "text", value: a.name_fa, maxlength: 60, dir: "rtl", "aria-label": label("nameFa"), "data-field": "name_fa" });
  const chain = h("input", { type: "text", value: a.chain.join(", "), dir: "ltr", "aria-label": label("chain"), "data-field": "chain",
    title: t("chainHint", { list: PROVIDERS.join(", ") }), placeholder: "—" });
  const cost = h("input", { type: "number", min: 1, max: 1000, value: a.cost, class: "narrow", "aria-label": label("costPerImage"), "data-field": "cost" });
  const enabled = h("input", { type: "checkbox", checked: a.enabled ? true : null, "aria-label": label("enabled"), "data-field": "enabled" });
  const watermark = select({ "aria-label": label("watermark"), "data-field": "watermark" }, RULES.map((r) => [r, t("wm_" + r)]), a.watermark);
  const save = h("button", { type: "button", class: "small" }, t("save"));
  save.addEventListener("click", async () => {
    const body = {
      name_en: nameEn.value.trim(),
      name_fa: nameFa.value.trim(),
      chain: chain.value.split(",").map((p) => p.trim()).filter(Boolean),
      cost: Number(cost.value),
      enabled: enabled.checked,
      watermark: watermark.value,
    };
    save.disabled = true;
    try {
      Object.assign(a, await api("PATCH", `/api/v1/admin/algorithms/${a.id}`, body));
      chain.value = a.chain.join(", ");
      toast(t("saved"));
    } catch (e) { fail(e); } finally { save.disabled = false; }
  });
  const s = a.stats;
  return h("tr", { "data-algorithm": a.id }, h("td", { dir: "ltr" }, h("strong", {}, a.id)),
    h("td", {}, nameEn), h("td", {}, nameFa), h("td", {}, chain), h("td", {}, cost), h("td", {}, enabled), h("td", {}, watermark),
    h("td", { class: "num" }, num(s.count)), h("td", { class: "num" }, rate(s.success_rate)), h("td", { class: "num" }, rate(s.fallback_rate)),
    h("td", { class: "num", dir: "ltr" }, `${seconds(s.p50_ms)} / ${seconds(s.p95_ms)}`),
    h("td", {}, save));
}

/// The section, as `{el, load}` like the admin panel's others.
export function algorithmsSection() {
  const body = h("div", { class: "section-body" });
  const load = async () => {
    body.replaceChildren(states.loading());
    try {
      const all = await api("GET", "/api/v1/admin/algorithms");
      const head = h("thead", {}, h("tr", {}, ...["algorithm", "nameEn", "nameFa", "chain", "costPerImage", "enabled", "watermark",
        "requests30", "successRate", "fallbackRate", "durationP"].map((k) => h("th", { scope: "col" }, t(k))), h("th", { scope: "col" }, "")));
      body.replaceChildren(h("p", { class: "muted small" }, t("chainHint", { list: PROVIDERS.join(", ") })),
        h("div", { class: "table-wrap" }, h("table", {}, h("caption", { class: "sr-only" }, t("algorithms")), head,
          h("tbody", {}, all.map(algorithmRow)))));
    } catch (e) { body.replaceChildren(states.error(e, load)); }
  };
  load();
  return { el: h("section", { class: "admin-section", id: "admin-algorithms", "aria-labelledby": "admin-algorithms-h" },
    h("div", { class: "page-head" }, h("h2", { id: "admin-algorithms-h" }, t("algorithms"))), body), load };
}
