// Preview in context: a result inside a YouTube-like feed (home, search, phone; light or
// dark), drawn by the server as a PNG. `/preview/{id}`; `?variants=` keeps the gallery's pick.

import { api } from "./api.js";
import { h, fail, states, field } from "./dom.js";
import { t } from "./i18n.js";

const LAYOUTS = ["home", "search", "mobile"];
const THEMES = ["light", "dark"];

/// A row of toggle buttons, one pressed.
function switcher(name, values, current, onPick) {
  const group = h("div", { class: "switch", role: "group", "aria-label": t(name), "data-switch": name });
  for (const v of values) {
    group.append(h("button", {
      type: "button", class: "small ghost", "data-value": v, "aria-pressed": v === current ? "true" : "false",
      onclick: () => {
        group.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", b.dataset.value === v ? "true" : "false"));
        onPick(v);
      },
    }, t("feed_" + v)));
  }
  return group;
}

/// The feed preview with its layout, theme and title controls, for one result or up to four
/// variants of it (`variants`: "0,2,3"). Answers the element and a clean-up function.
export function feedPreview(id, { variants = "", placeholder = "" } = {}) {
  const state = { layout: "home", theme: "light", variants, title: "" };
  const title = h("input", { type: "text", id: "feed-title", maxlength: 100, dir: "auto", placeholder });
  title.addEventListener("change", () => { state.title = title.value.trim(); draw().catch(fail); });
  const img = h("img", { id: "feed-preview", class: "feed-preview", alt: t("previewAlt"), hidden: true });
  const status = h("div", { class: "feed-status" }, states.loading());
  let url = null;
  let ticket = 0;
  const draw = async () => {
    const mine = ++ticket;
    status.replaceChildren(states.loading());
    const q = new URLSearchParams({ layout: state.layout, theme: state.theme });
    if (state.variants) q.set("variants", state.variants);
    if (state.title) q.set("title", state.title);
    try {
      const blob = await api("GET", `/api/v1/generations/${id}/preview?${q}`);
      if (mine !== ticket) return;
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(blob);
      img.src = url;
      img.dataset.layout = state.layout;
      img.dataset.theme = state.theme;
      img.hidden = false;
      img.classList.toggle("phone", state.layout === "mobile");
      status.replaceChildren();
    } catch (e) {
      if (mine === ticket) status.replaceChildren(states.error(e, draw));
    }
  };
  const element = h("div", { class: "feed-box" },
    h("div", { class: "filters" },
      switcher("feedLayout", LAYOUTS, state.layout, (v) => { state.layout = v; draw().catch(fail); }),
      switcher("feedTheme", THEMES, state.theme, (v) => { state.theme = v; draw().catch(fail); }),
      field(t("videoTitle"), title)),
    status,
    h("div", { class: "feed-frame" }, img));
  draw().catch(fail);
  return { element, cleanup: () => { ticket++; if (url) URL.revokeObjectURL(url); } };
}

export async function previewView(main, { params }) {
  const id = params[0];
  if (!id) { main.replaceChildren(states.empty(t("notFound"))); return; }
  const g = await api("GET", `/api/v1/generations/${id}`);
  const query = new URLSearchParams(location.search);
  const feed = feedPreview(id, { variants: query.get("variants") || "", placeholder: g.headline || g.prompt });
  main.replaceChildren(h("section", { class: "page preview-page" },
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, t("previewTitle")),
      h("a", { href: "/gallery", class: "ghost button small" }, t("gallery"))),
    h("p", { class: "muted", dir: "auto" }, g.headline || g.prompt),
    feed.element));
  return feed.cleanup;
}
