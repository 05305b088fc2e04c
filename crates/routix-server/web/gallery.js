// The gallery: past thumbnails with status and quality filters, downloads and delete; a
// result's preview in a feed, and picking three for Test & Compare (one zip: A, B, C).

import { api, loadAlgorithms } from "./api.js";
import { h, fail, select, states, toast, field } from "./dom.js";
import { t, algorithmName } from "./i18n.js";
import { generationCard } from "./generation.js";

const STATUSES = ["completed", "processing", "queued", "failed", "cancelled"];

export async function galleryView(main) {
  const status = select({ id: "filter-status" }, [["", t("allStatuses")], ...STATUSES.map((s) => [s, t(s)])], "completed");
  const algorithm = select({ id: "filter-algorithm" }, [["", t("allAlgorithms")]], "");
  // The names come from the server, as admins set them.
  loadAlgorithms().then((list) => algorithm.append(...list.map((a) => h("option", { value: a.id }, algorithmName(a))))).catch(() => {});
  const favorites = h("input", { type: "checkbox", id: "filter-favorite" });
  const grid = h("div", { class: "grid", id: "gallery-grid", "aria-live": "polite" });
  const more = h("button", { type: "button", class: "ghost more", hidden: true }, t("loadMore"));
  const note = h("div", { class: "page-note" });
  const compare = compareBar();
  main.replaceChildren(h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, t("gallery")),
      h("div", { class: "filters" }, field(t("status"), status), field(t("algorithm"), algorithm),
        h("label", { class: "check" }, favorites, " ", t("favoritesOnly")))),
    note, compare.bar, grid, more));

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
  const card = (g) => compare.attach(g, generationCard(g, { onDelete, onUpdate: replace, onCreated }));
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

export const SET_SIZE = 3;

/// Makes a Test & Compare set of `ids` (`{id}` or `{id}:{variant}`) and shows its zip as a
/// download link in `result`; answers the link's object URL (the previous one is released).
export async function testSetLink(ids, result, previous) {
  result.replaceChildren(states.loading());
  try {
    const set = await api("POST", "/api/v1/test-sets", { generation_ids: ids });
    const blob = await api("GET", set.url);
    if (previous) URL.revokeObjectURL(previous);
    const url = URL.createObjectURL(blob);
    result.replaceChildren(h("a", { href: url, download: `routix-test-set-${set.id.slice(0, 8)}.zip`, id: "test-set-download", class: "button small", "data-test-set": set.id }, t("downloadZip")));
    return url;
  } catch (e) {
    result.replaceChildren();
    fail(e);
    return previous;
  }
}

/// Test & Compare: pick three finished results (the variant showing on a card is the one
/// picked), then one zip of A.jpg, B.jpg, C.jpg and a README to download.
function compareBar() {
  const picked = new Map();
  const count = h("span", { class: "muted", id: "pick-count", "aria-live": "polite" });
  const go = h("button", { type: "button", id: "test-compare", disabled: true }, t("testCompare"));
  const result = h("span", { class: "test-set-result" });
  const bar = h("div", { class: "compare-bar", id: "compare-bar" }, h("strong", {}, t("testCompare")), " ", count, go, result);
  let zipUrl = null;
  const refresh = () => {
    count.textContent = t("picked", { n: picked.size, of: SET_SIZE });
    go.disabled = picked.size !== SET_SIZE;
  };
  go.addEventListener("click", async () => {
    go.disabled = true;
    const ids = [...picked.entries()].map(([id, card]) => {
      const v = Number(card.dataset.variant || 0);
      return v ? `${id}:${v}` : id;
    });
    zipUrl = await testSetLink(ids, result, zipUrl);
    refresh();
  });
  refresh();
  const attach = (g, card) => {
    if (g.status !== "completed") return card;
    const box = h("input", { type: "checkbox", "data-pick": g.id, "aria-label": t("pickForTest") });
    box.checked = picked.has(g.id);
    if (box.checked) picked.set(g.id, card);
    box.addEventListener("change", () => {
      if (box.checked && picked.size >= SET_SIZE) { box.checked = false; toast(t("pickedEnough", { n: SET_SIZE })); return; }
      if (box.checked) picked.set(g.id, card); else picked.delete(g.id);
      refresh();
    });
    const preview = h("a", { href: `/preview/${g.id}`, class: "small", "data-preview": g.id }, t("previewInFeed"));
    preview.addEventListener("click", () => {
      const v = Number(card.dataset.variant || 0);
      if (v) preview.href = `/preview/${g.id}?variants=${v}`;
    });
    card.append(h("div", { class: "pick-row" }, h("label", { class: "check" }, box, " ", t("pickForTest")), preview));
    return card;
  };
  return { bar, attach };
}
