// The admin panel (role `admin`): users with credits, plans and roles; plans and credit packs;
// recent generations; provider health; the template bank. Each section loads and fails on its own.

import { api, currentUser, loadWallet } from "./api.js";
import { h, fail, select, states, toast } from "./dom.js";
import { t, label, fmtTime, num, joinList } from "./i18n.js";
import { verificationState } from "./email.js";

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

  main.replaceChildren(h("section", { class: "page" }, h("h1", { tabindex: "-1" }, t("admin")),
    users.el, billing.el, providers.el, generations.el, bank.el, templates.el));
}
