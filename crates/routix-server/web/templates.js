// The template bank: previews by category and style; start a chat with one.

import { api } from "./api.js";
import { h, fail, select, states, field } from "./dom.js";
import { t, label, getLang, templateName, templateDescription } from "./i18n.js";

/// The preview, with a Persian headline in the Persian UI for templates that support it.
function previewUrl(tpl) {
  if (getLang() !== "fa" || !tpl.supports_rtl) return tpl.preview_url;
  const sep = tpl.preview_url.includes("?") ? "&" : "?";
  return `${tpl.preview_url}${sep}title=${encodeURIComponent(label("cat_", tpl.category))}`;
}

export async function templatesView(main, { navigate }) {
  const all = (await api("GET", "/api/v1/templates")).items;
  const cats = [...new Set(all.map((x) => x.category))].sort((a, b) => label("cat_", a).localeCompare(label("cat_", b), getLang()));
  const styles = [...new Set(all.flatMap((x) => x.styles))].sort();
  const params = new URLSearchParams(location.search);
  const category = select({ id: "filter-category" }, [["", t("allCategories")], ...cats.map((c) => [c, label("cat_", c)])], params.get("category") || "");
  const style = select({ id: "filter-style" }, [["", t("allStyles")], ...styles.map((s) => [s, label("st_", s)])], params.get("style") || "");
  const count = h("p", { class: "muted", "aria-live": "polite" });
  const grid = h("div", { class: "grid", id: "template-grid" });

  const render = () => {
    const shown = all.filter((x) => (!category.value || x.category === category.value) && (!style.value || x.styles.includes(style.value)));
    count.textContent = t("templatesCount", { n: shown.length });
    grid.replaceChildren();
    if (!shown.length) grid.append(states.empty(t("emptyTemplates")));
    for (const tpl of shown) {
      const start = h("button", { type: "button", class: "small", "data-start": tpl.id }, t("startChat"));
      start.addEventListener("click", async () => {
        start.disabled = true;
        try {
          const c = await api("POST", "/api/v1/chat/conversations", { title: templateName(tpl) });
          navigate(`/chat/${c.id}?template=${encodeURIComponent(tpl.id)}`);
        } catch (e) { fail(e); start.disabled = false; }
      });
      const tags = [label("cat_", tpl.category), ...tpl.styles.map((s) => label("st_", s)), label("m_", tpl.mood)];
      grid.append(h("article", { class: "tpl-card", "data-template": tpl.id },
        h("div", { class: "frame" }, h("img", { src: previewUrl(tpl), alt: "", loading: "lazy", decoding: "async", width: 640, height: 360 })),
        h("h2", { dir: "auto" }, templateName(tpl)),
        h("p", { class: "tags small" }, ...tags.map((x) => h("span", { class: "tag" }, x)), tpl.supports_rtl ? h("span", { class: "tag rtl" }, t("rtlReady")) : null),
        templateDescription(tpl) ? h("p", { class: "small muted", dir: "auto" }, templateDescription(tpl)) : null,
        h("div", { class: "actions" }, start)));
    }
  };
  const update = () => {
    const q = new URLSearchParams();
    if (category.value) q.set("category", category.value);
    if (style.value) q.set("style", style.value);
    history.replaceState(null, "", `/templates${q.toString() ? "?" + q : ""}`);
    render();
  };
  category.addEventListener("change", update);
  style.addEventListener("change", update);
  main.replaceChildren(h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, t("templates")),
      h("div", { class: "filters" }, field(t("category"), category), field(t("style"), style))),
    count, grid));
  render();
}
