// The admin panel (role `admin`): users with credits, plans and roles; plans and credit packs;
// recent generations; provider health; the template bank; the dashboard (charts.js), broadcasts and
// the audit log. Each section loads and fails on its own.

import { api, currentUser, loadWallet } from "./api.js";
import { h, fail, select, states, toast } from "./dom.js";
import { t, label, fmtTime, num, joinList, getLang, engineName } from "./i18n.js";
import { verificationState } from "./email.js";
import { stackedBars, lines, PALETTE } from "./charts.js";
import { applyBroadcastEvent } from "./broadcasts.js";
import { algorithmsSection } from "./admin-algorithms.js";

const th = (...names) => h("thead", {}, h("tr", {}, ...names.map((n) => h("th", { scope: "col" }, n))));
const table = (caption, head, body) => h("div", { class: "table-wrap" }, h("table", {}, h("caption", { class: "sr-only" }, caption), head, body));

/// A section that shows loading, then `fill()`'s content or an error with a retry button.
function section(id, heading, fill, ...tools) {
  const body = h("div", { class: "section-body" });
  const load = async () => {
    body.replaceChildren(states.loading());
    try { body.replaceChildren(await fill()); } catch (e) { body.replaceChildren(states.error(e, load)); }
  };
  load();
  return { el: h("section", { class: "admin-section", id, "aria-labelledby": id + "-h" }, h("div", { class: "page-head" }, h("h2", { id: id + "-h" }, heading), ...tools), body), load };
}

function userRow(u) {
  const balance = h("td", { class: "num", "data-balance": u.id }, num(u.balance));
  const amount = h("input", { type: "number", min: 1, max: 100000, value: 10, class: "narrow", "aria-label": t("grantTo", { email: u.email }) });
  const grant = h("button", { type: "button", class: "small" }, t("grant"));
  grant.addEventListener("click", async () => {
    grant.disabled = true;
    try {
      const r = await api("POST", `/api/v1/admin/users/${u.id}/credits`, { amount: Number(amount.value) });
      balance.textContent = num(r.balance);
      toast(t("granted"));
      if (u.id === currentUser.id) loadWallet().catch(() => {});
    } catch (e) { fail(e); } finally { grant.disabled = false; }
  });
  const patch = (body, control, old) => api("PATCH", `/api/v1/admin/users/${u.id}`, body)
    .then(() => toast(t("saved"))).catch((e) => { control.value = old; fail(e); });
  const plan = select({ "aria-label": `${t("plan")} — ${u.email}` }, ["free", "pro", "agency", "enterprise"].map((p) => [p, t("plan_" + p)]), u.plan);
  plan.addEventListener("change", () => patch({ plan: plan.value }, plan, u.plan).then(() => { u.plan = plan.value; }));
  const role = select({ "aria-label": `${t("role")} — ${u.email}`, disabled: currentUser.id === u.id ? true : null },
    [["user", t("role_user")], ["admin", t("role_admin")]], u.role);
  role.addEventListener("change", () => patch({ role: role.value }, role, u.role).then(() => { u.role = role.value; }));
  return h("tr", {}, h("td", {}, h("bdi", { dir: "ltr" }, u.email), " ", verificationState(u)), h("td", { dir: "auto" }, u.display_name), h("td", {}, role), h("td", {}, plan), balance,
    h("td", {}, h("div", { class: "inline" }, amount, grant)));
}

/// One editable row of a plan or a pack: each field an input, saved together with PATCH.
function termsRow(kind, item, fields) {
  const inputs = fields.map(([key, type, extra = {}]) => {
    // Unlimited plans have no monthly credits to edit.
    const locked = key === "monthly_credits" && item.unlimited;
    const attrs = { "aria-label": `${t(extra.label || key)} — ${item.id}`, "data-field": key, disabled: locked ? true : null, ...extra.attrs };
    if (type === "checkbox") return [key, type, h("input", { type, checked: item[key] ? true : null, ...attrs })];
    const value = item[key] === null || item[key] === undefined ? "" : item[key];
    return [key, type, h("input", { type, value, class: type === "number" ? "narrow" : null, dir: key === "name_fa" ? "rtl" : "auto", ...attrs })];
  });
  const save = h("button", { type: "button", class: "small" }, t("save"));
  save.addEventListener("click", async () => {
    const body = {};
    for (const [key, type, input] of inputs) {
      if (input.disabled) continue;
      if (type === "checkbox") body[key] = input.checked;
      else if (type === "number") body[key] = input.value.trim() === "" ? null : Number(input.value);
      else body[key] = input.value.trim();
    }
    save.disabled = true;
    try {
      Object.assign(item, await api("PATCH", `/api/v1/admin/${kind}/${item.id}`, body));
      toast(t("saved"));
    } catch (e) { fail(e); } finally { save.disabled = false; }
  });
  return h("tr", { [`data-${kind}`]: item.id }, h("td", { dir: "ltr" }, h("strong", {}, item.id)),
    ...inputs.map(([, , input]) => h("td", {}, input)), h("td", {}, save));
}

/// Plans (monthly credits, watermark, price) and the credit packs on sale.
function billingSection() {
  return section("admin-billing", t("plans"), async () => {
    const [plans, packs] = await Promise.all([api("GET", "/api/v1/admin/plans"), api("GET", "/api/v1/admin/packs")]);
    const planFields = [["name_en", "text"], ["name_fa", "text"], ["monthly_credits", "number", { label: "monthlyCredits", attrs: { min: 0 } }],
      ["watermark", "checkbox"], ["price_cents", "number", { label: "priceCents", attrs: { min: 0, placeholder: "—", title: t("priceHint") } }], ["currency", "text", { attrs: { maxlength: 3, size: 3 } }], ["enabled", "checkbox"]];
    const packFields = [["name_en", "text"], ["name_fa", "text"], ["credits", "number", { label: "packCredits", attrs: { min: 1 } }],
      ["price_cents", "number", { label: "priceCents", attrs: { min: 1 } }], ["currency", "text", { attrs: { maxlength: 3, size: 3 } }], ["enabled", "checkbox"]];
    return h("div", {},
      table(t("plans"), th(t("plan"), t("nameEn"), t("nameFa"), t("monthlyCredits"), t("watermark"), t("priceCents"), t("currency"), t("enabled"), ""),
        h("tbody", {}, plans.map((p) => termsRow("plans", p, planFields)))),
      h("h3", {}, t("packs")),
      table(t("packs"), th(t("packs"), t("nameEn"), t("nameFa"), t("packCredits"), t("priceCents"), t("currency"), t("enabled"), ""),
        h("tbody", {}, packs.map((p) => termsRow("packs", p, packFields)))));
  });
}

/// A bank item's palette as swatches, heaviest widest.
function swatches(dna) {
  // Colours set through the style object: the page's CSP refuses inline style attributes.
  return h("span", { class: "swatches", role: "img", "aria-label": (dna.palette || []).map((p) => p.hex).join(", ") },
    ...(dna.palette || []).map((p) => {
      const swatch = h("span", { class: "swatch", title: `${p.hex} · ${Math.round(p.weight * 100)}%`, "data-hex": p.hex });
      swatch.style.backgroundColor = p.hex;
      swatch.style.flexGrow = String(Math.max(1, Math.round(p.weight * 100)));
      return swatch;
    }));
}

function bankRow(item, reload) {
  const dna = item.style_dna || {};
  const toggle = (field, labelKey) => {
    const box = h("input", { type: "checkbox", checked: item[field] ? true : null, "aria-label": `${t(labelKey)} — ${item.title}`, "data-bank-toggle": field });
    box.addEventListener("change", () => api("PATCH", `/api/v1/admin/bank/${item.id}`, { [field]: box.checked })
      .then(() => { item[field] = box.checked; toast(t("saved")); })
      .catch((e) => { box.checked = item[field]; fail(e); }));
    return box;
  };
  const remove = h("button", { type: "button", class: "small danger" }, t("delete"));
  remove.addEventListener("click", () => {
    if (!confirm(t("confirmDelete"))) return;
    api("DELETE", `/api/v1/admin/bank/${item.id}`).then(() => { toast(t("deleted")); reload(); }).catch(fail);
  });
  return h("tr", { "data-bank-item": item.id },
    h("td", {}, h("a", { href: item.image_url, target: "_blank", rel: "noopener", class: "tpl-link" },
      h("img", { src: item.preview_url, alt: "", width: 96, height: 54, loading: "lazy", class: "thumb" }), h("span", { dir: "auto" }, item.title))),
    h("td", {}, item.category ? label("cat_", item.category) : "—", h("span", { class: "muted small block", dir: "auto" }, (item.tags || []).join(", ")),
      dna.description ? h("span", { class: "muted small block", dir: "ltr", "data-bank-description": "" },
        `${dna.description}${dna.mood ? ` · ${dna.mood}` : ""}${dna.has_face ? " · 🙂" : ""}`) : null),
    h("td", {}, swatches(dna)),
    h("td", { class: "num" }, h("span", { title: t("energy") }, `${dna.energy ?? "—"}/10`)),
    h("td", { class: "small" }, `${t("text")}: ${label("place_", dna.composition?.text || "none")}`, h("br"), `${t("subjectWord")}: ${label("place_", dna.composition?.subject || "none")}`),
    h("td", { class: "num" }, `${item.usage_count} · 👍${item.rating_up} 👎${item.rating_down}`),
    h("td", {}, toggle("enabled", "enabled")),
    h("td", {}, toggle("featured", "featured")),
    h("td", {}, remove));
}

/// The template bank: upload designer thumbnails (an image or a zip), see their style DNA
/// (palette as swatches, energy, where text and subject sit), switch them on and off.
function bankSection() {
  const file = h("input", { type: "file", accept: "image/jpeg,image/png,image/webp,.zip,application/zip", id: "bank-file", "aria-label": t("bankFile") });
  const title = h("input", { type: "text", id: "bank-title", placeholder: t("titleOptional"), "aria-label": t("titleOptional"), dir: "auto", maxlength: 200 });
  const tags = h("input", { type: "text", id: "bank-tags", placeholder: t("tagsHint"), "aria-label": t("tagsHint"), dir: "auto" });
  const send = h("button", { type: "submit", class: "small" }, t("upload"));
  const form = h("form", { class: "inline bank-upload", id: "bank-upload" }, file, title, tags, send);
  let reload = () => {};
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!file.files.length) { file.focus(); return; }
    const body = new FormData();
    body.append("file", file.files[0]);
    if (title.value.trim()) body.append("title", title.value.trim());
    if (tags.value.trim()) body.append("tags", tags.value.trim());
    send.disabled = true;
    try {
      const r = await api("POST", "/api/v1/admin/bank", body, { form: true });
      toast(t("bankImported", { n: r.items.length }));
      form.reset();
      reload();
    } catch (err) { fail(err); } finally { send.disabled = false; }
  });
  const s = section("admin-bank", t("bank"), async () => {
    const page = await api("GET", "/api/v1/admin/bank?limit=100");
    if (!page.items.length) return states.empty(t("bankEmpty"));
    return table(t("bank"), th(t("item"), t("category"), t("palette"), t("energy"), t("composition"), t("performance"), t("enabled"), t("featured"), ""),
      h("tbody", {}, page.items.map((item) => bankRow(item, reload))));
  }, form);
  reload = s.load;
  return s;
}

const STATUS_COLORS = { completed: "#3aa675", failed: "#d64550", cancelled: "#5b6b7c", processing: "#e8833a", queued: "#b8a038" };

/// The dashboard: generations per day by status and by engine, the credit flow, sign-ups,
/// fallbacks and how long each pipeline stage takes (p50/p95).
function dashboardSection() {
  const days = select({ "aria-label": t("statsDays"), id: "stats-days" }, [7, 30, 90, 365].map((d) => [String(d), t("lastDays", { n: d })]), "30");
  const s = section("admin-dashboard", t("dashboard"), async () => {
    const st = await api("GET", `/api/v1/admin/stats?days=${days.value}`);
    const labels = st.daily.map((d) => fmtDay(d.day));
    const per = (pick) => st.daily.map(pick);
    const tot = st.totals;
    const figure = (key, value) => h("div", { class: "stat", "data-stat": key }, h("span", { class: "stat-value" }, num(value)), h("span", { class: "muted small" }, t(key)));
    return h("div", { class: "dashboard" },
      h("div", { class: "stats-row" }, figure("statGenerations", tot.generations), figure("statFallbacks", tot.fallbacks), figure("statSignups", tot.signups),
        figure("statGranted", tot.credits.granted + tot.credits.purchased), figure("statSpent", tot.credits.spent), figure("statRefunded", tot.credits.refunded)),
      h("div", { class: "charts" },
        stackedBars({ title: t("chartByStatus"), labels, series: st.statuses.map((k, i) => ({ key: k, label: t(k), color: STATUS_COLORS[k] || PALETTE[i], values: per((d) => d.by_status[k] || 0) })) }),
        stackedBars({ title: t("chartByEngine"), labels, series: st.engines.map((k) => ({ key: k, label: k === "none" ? t("engineNone") : engineName(k), values: per((d) => d.by_engine[k] || 0) })) }),
        lines({ title: t("chartCredits"), labels, series: [
          { key: "granted", label: t("statGranted"), color: PALETTE[2], values: per((d) => d.credits.granted + d.credits.purchased) },
          { key: "spent", label: t("statSpent"), color: PALETTE[1], values: per((d) => d.credits.spent) },
          { key: "refunded", label: t("statRefunded"), color: PALETTE[0], values: per((d) => d.credits.refunded) }] }),
        lines({ title: t("chartActivity"), labels, series: [
          { key: "signups", label: t("statSignups"), color: PALETTE[4], values: per((d) => d.signups) },
          { key: "fallbacks", label: t("statFallbacks"), color: PALETTE[3], values: per((d) => d.fallbacks) }] })),
      h("h3", {}, t("stageTimes")),
      table(t("stageTimes"), th(t("stage"), t("samples"), "p50", "p95"), h("tbody", {}, st.stages.map((x) => h("tr", { "data-stage": x.stage },
        h("td", {}, x.stage ? t("stage" + x.stage) : t("stageTotal")), h("td", { class: "num" }, num(x.samples)),
        h("td", { class: "num" }, ms(x.p50_ms)), h("td", { class: "num" }, ms(x.p95_ms)))))),
      h("p", { class: "muted small" }, t("stageNote")));
  }, days);
  days.addEventListener("change", s.load);
  return s;
}

const fmtDay = (iso) => new Date(iso + "T00:00:00Z").toLocaleDateString(getLang() === "fa" ? "fa-IR" : "en-GB", { month: "short", day: "numeric", timeZone: "UTC" });
const ms = (v) => (v === null || v === undefined ? "—" : v < 1000 ? t("millis", { n: v }) : t("seconds", { n: Math.round(v / 100) / 10 }));

/// The audit log: every admin change, newest first, filtered by actor or target.
function auditSection() {
  const actor = h("input", { type: "search", id: "audit-actor", placeholder: t("auditActor"), "aria-label": t("auditActor"), dir: "ltr" });
  const target = h("input", { type: "search", id: "audit-target", placeholder: t("auditTarget"), "aria-label": t("auditTarget"), dir: "ltr" });
  const snapshot = (v) => (v === null || v === undefined ? "—" : h("code", { dir: "ltr", class: "small" }, JSON.stringify(v)));
  const row = (a) => h("tr", { "data-audit": a.id },
    h("td", {}, h("time", { datetime: a.created_at }, fmtTime(a.created_at))),
    h("td", { dir: "ltr" }, a.actor === "cli" ? t("auditCli") : (a.actor_email || a.actor)),
    h("td", { dir: "ltr" }, a.action),
    h("td", { dir: "ltr", class: "small" }, `${a.target_kind}:${a.target_id}`),
    h("td", { class: "clip" }, snapshot(a.before)), h("td", { class: "clip" }, snapshot(a.after)));
  const s = section("admin-audit", t("audit"), async () => {
    const query = (cursor) => {
      const q = new URLSearchParams({ limit: "25" });
      if (actor.value.trim()) q.set("actor", actor.value.trim());
      if (target.value.trim()) q.set("target", target.value.trim());
      if (cursor) q.set("cursor", cursor);
      return api("GET", `/api/v1/admin/audit?${q}`);
    };
    const page = await query();
    if (!page.items.length) return states.empty(t("auditEmpty"));
    const body = h("tbody", {}, page.items.map(row));
    const more = h("button", { type: "button", class: "ghost small", hidden: page.next_cursor ? null : true }, t("more"));
    let next = page.next_cursor;
    more.addEventListener("click", async () => {
      more.disabled = true;
      try { const p = await query(next); body.append(...p.items.map(row)); next = p.next_cursor; more.hidden = !next; } catch (e) { fail(e); } finally { more.disabled = false; }
    });
    return h("div", {}, table(t("audit"), th(t("when"), t("auditActor"), t("auditAction"), t("auditTarget"), t("auditBefore"), t("auditAfter")), body), more);
  }, h("div", { class: "inline" }, actor, target));
  for (const input of [actor, target]) input.addEventListener("input", () => { clearTimeout(input.timer); input.timer = setTimeout(s.load, 300); });
  return s;
}

/// Broadcasts: a message to every signed-in user, shown as a banner until it expires or ends.
function broadcastSection() {
  const message = h("textarea", { id: "broadcast-message", rows: 2, maxlength: 500, required: true, dir: "auto", "aria-label": t("broadcastMessage"), placeholder: t("broadcastMessage") });
  const level = select({ "aria-label": t("broadcastLevel"), id: "broadcast-level" }, ["info", "warning", "critical"].map((l) => [l, t("level_" + l)]), "info");
  const hours = h("input", { type: "number", id: "broadcast-hours", min: 1, max: 720, class: "narrow", placeholder: t("broadcastHours"), "aria-label": t("broadcastHours") });
  const send = h("button", { type: "submit", class: "small" }, t("broadcastSend"));
  const form = h("form", { class: "inline broadcast-form", id: "broadcast-form" }, message, level, hours, send);
  let reload = () => {};
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!message.value.trim()) { message.focus(); return; }
    const body = { message: message.value.trim(), level: level.value };
    if (hours.value) body.expires_at = new Date(Date.now() + Number(hours.value) * 3600_000).toISOString();
    send.disabled = true;
    try {
      const b = await api("POST", "/api/v1/admin/broadcast", body);
      applyBroadcastEvent({ type: "broadcast", broadcast: b });
      toast(t("broadcastSent"));
      form.reset();
      reload();
    } catch (err) { fail(err); } finally { send.disabled = false; }
  });
  const s = section("admin-broadcasts", t("broadcasts"), async () => {
    const live = await api("GET", "/api/v1/broadcasts/active");
    const list = live.length ? table(t("broadcasts"), th(t("broadcastMessage"), t("broadcastLevel"), t("expires"), ""), h("tbody", {}, live.map((b) => {
      const end = h("button", { type: "button", class: "small danger" }, t("broadcastEnd"));
      end.addEventListener("click", () => api("DELETE", `/api/v1/admin/broadcast/${b.id}`)
        .then(() => { applyBroadcastEvent({ type: "broadcast_ended", id: b.id }); toast(t("broadcastEnded")); reload(); }).catch(fail));
      return h("tr", { "data-broadcast-row": b.id }, h("td", { dir: "auto" }, b.message), h("td", {}, h("span", { class: `badge l-${b.level}` }, t("level_" + b.level))),
        h("td", {}, b.expires_at ? h("time", { datetime: b.expires_at }, fmtTime(b.expires_at)) : t("untilEnded")), h("td", {}, end));
    }))) : states.empty(t("noBroadcasts"));
    return h("div", {}, form, list);
  });
  reload = s.load;
  return s;
}

export async function adminView(main) {
  if (!currentUser || currentUser.role !== "admin") {
    main.replaceChildren(h("section", { class: "page" }, h("h1", { tabindex: "-1" }, t("admin")), states.error({ message: t("notAdmin") })));
    return;
  }
  const search = h("input", { type: "search", "aria-label": t("search"), placeholder: t("search"), id: "user-search", dir: "ltr" });
  const users = section("admin-users", t("users"), async () => {
    const q = new URLSearchParams({ limit: "50" });
    if (search.value.trim()) q.set("search", search.value.trim());
    const page = await api("GET", `/api/v1/admin/users?${q}`);
    if (!page.items.length) return states.empty(t("noUsers"));
    return table(t("users"), th(t("email"), t("displayName"), t("role"), t("plan"), t("balance"), t("grant")), h("tbody", {}, page.items.map(userRow)));
  }, search);
  search.addEventListener("input", () => { clearTimeout(search.timer); search.timer = setTimeout(users.load, 300); });

  const status = select({ "aria-label": t("status") }, [["", t("allStatuses")], ...["completed", "processing", "queued", "failed", "cancelled"].map((s) => [s, t(s)])], "");
  const generations = section("admin-generations", t("allGenerations"), async () => {
    const q = new URLSearchParams({ limit: "25" });
    if (status.value) q.set("status", status.value);
    const page = await api("GET", `/api/v1/admin/generations?${q}`);
    if (!page.items.length) return states.empty(t("noGenerations"));
    return table(t("allGenerations"), th(t("when"), t("prompt"), t("algorithm"), t("status"), t("template")), h("tbody", {}, page.items.map((g) => h("tr", {},
      h("td", {}, h("time", { datetime: g.created_at }, fmtTime(g.created_at))),
      h("td", { dir: "auto", class: "clip" }, g.prompt),
      h("td", {}, t(g.algorithm)),
      h("td", {}, h("span", { class: `badge s-${g.status}` }, t(g.status)), g.error ? h("span", { class: "muted small block", dir: "auto" }, g.error) : null),
      h("td", { dir: "ltr" }, g.template_id || "—")))));
  }, status);
  status.addEventListener("change", generations.load);

  const providers = section("admin-providers", t("providers"), async () => {
    const health = await api("GET", "/api/v1/admin/providers");
    return h("div", {},
      health.analysis ? h("p", { class: "muted" }, t("analysisMode", { m: label("am_", health.analysis) })) : null,
      table(t("providers"), th(t("provider"), t("configuredQ"), t("circuit"), t("detail")), h("tbody", {}, (health.providers || []).map((p) => h("tr", { "data-provider": p.provider },
        h("td", { dir: "ltr" }, h("strong", {}, p.provider)),
        h("td", {}, h("span", { class: `badge ${p.configured ? "s-completed" : "s-cancelled"}` }, p.configured ? t("yes") : t("no"))),
        h("td", {}, h("span", { class: `badge ${p.circuit === "closed" ? "s-completed" : "s-failed"}` }, label("circuit_", p.circuit))),
        h("td", { dir: "ltr", class: "muted small" }, p.detail || ""))))));
  });

  const templates = section("admin-templates", t("templates"), async () => {
    const all = (await api("GET", "/api/v1/templates")).items;
    return h("div", {}, h("p", { class: "muted" }, t("templatesCount", { n: all.length })),
      table(t("templates"), th(t("template"), t("category"), t("style"), t("rtlReady")), h("tbody", {}, all.map((x) => h("tr", {},
        h("td", {}, h("a", { href: x.preview_url, target: "_blank", rel: "noopener", class: "tpl-link", dir: "ltr" },
          h("img", { src: x.preview_url, alt: "", width: 96, height: 54, loading: "lazy", class: "thumb" }), x.id)),
        h("td", {}, label("cat_", x.category)),
        h("td", {}, joinList(x.styles.map((s) => label("st_", s)))),
        h("td", {}, x.supports_rtl ? t("yes") : t("no")))))));
  });

  const bank = bankSection();
  const billing = billingSection();
  const algorithms = algorithmsSection();
  const dashboard = dashboardSection();
  const broadcasts = broadcastSection();
  const audit = auditSection();

  main.replaceChildren(h("section", { class: "page" }, h("h1", { tabindex: "-1" }, t("admin")),
    dashboard.el, broadcasts.el, users.el, billing.el, algorithms.el, providers.el, generations.el, bank.el, templates.el, audit.el));
}
