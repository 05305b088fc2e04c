// The gallery: past thumbnails with status and quality filters, downloads and delete.

import { api } from "./api.js";
import { h, fail, select, states, toast, field } from "./dom.js";
import { t } from "./i18n.js";
import { generationCard } from "./generation.js";

const STATUSES = ["completed", "processing", "queued", "failed", "cancelled"];

export async function galleryView(main) {
  const status = select({ id: "filter-status" }, [["", t("allStatuses")], ...STATUSES.map((s) => [s, t(s)])], "completed");
  const algorithm = select({ id: "filter-algorithm" }, [["", t("allAlgorithms")], ...["basic", "premium", "pro"].map((a) => [a, t(a)])], "");
  const favorites = h("input", { type: "checkbox", id: "filter-favorite" });
  const grid = h("div", { class: "grid", id: "gallery-grid", "aria-live": "polite" });
  const more = h("button", { type: "button", class: "ghost more", hidden: true }, t("loadMore"));
  const note = h("div", { class: "page-note" });
  main.replaceChildren(h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, t("gallery")),
      h("div", { class: "filters" }, field(t("status"), status), field(t("algorithm"), algorithm),
        h("label", { class: "check" }, favorites, " ", t("favoritesOnly")))),
    note, grid, more));

  let cursor = null;
  const replace = (g) => {
    const old = grid.querySelector(`[data-generation="${g.id}"]`);
    if (old) old.replaceWith(card(g));
  };
  const onDelete = async (g) => {
    if (!confirm(t("confirmDelete"))) return;
    try {
      await api("DELETE", `/api/v1/generations/${g.id}`);
      grid.querySelector(`[data-generation="${g.id}"]`)?.remove();
      toast(t("deleted"));
      if (!grid.children.length) showEmpty();
    } catch (e) { fail(e); }
  };
  // A re-edit goes first in the grid and is followed until it finishes (the gallery has no
  // live stream).
  const follow = async (g) => {
    for (let i = 0; i < 120 && (g.status === "queued" || g.status === "processing"); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      try { g = await api("GET", `/api/v1/generations/${g.id}`); } catch (_) { return; }
      replace(g);
    }
  };
  const onCreated = (g) => { grid.prepend(card(g)); follow(g); };
  const card = (g) => generationCard(g, { onDelete, onUpdate: replace, onCreated });
  const showEmpty = () => grid.replaceChildren(states.empty(t("emptyGallery"), h("a", { href: "/chat", class: "button" }, t("goChat"))));

  const load = async (reset) => {
    if (reset) { cursor = null; grid.replaceChildren(states.loading()); }
    note.replaceChildren();
    more.disabled = true;
    const q = new URLSearchParams({ limit: "24" });
    if (status.value) q.set("status", status.value);
    if (algorithm.value) q.set("algorithm", algorithm.value);
    if (favorites.checked) q.set("favorite", "true");
    if (cursor) q.set("cursor", cursor);
    try {
      const page = await api("GET", `/api/v1/generations?${q}`);
      if (reset) grid.replaceChildren();
      page.items.forEach((g) => grid.append(card(g)));
      if (!grid.children.length) showEmpty();
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (e) {
      if (reset) grid.replaceChildren();
      note.replaceChildren(states.error(e, () => load(reset)));
    } finally {
      more.disabled = false;
    }
  };
  status.addEventListener("change", () => load(true));
  algorithm.addEventListener("change", () => load(true));
  favorites.addEventListener("change", () => load(true));
  more.addEventListener("click", () => load(false));
  await load(true);
}
