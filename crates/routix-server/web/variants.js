// Variants of a thumbnail that already works: upload it, say what to try, and get up to
// eight versions that each change one thing (background colour, contrast, crop, a callout,
// a new headline). Picks preview in a feed and three go to Test & Compare as one zip.

import { api, upload } from "./api.js";
import { h, fail, select, states, toast, field } from "./dom.js";
import { t } from "./i18n.js";
import { SET_SIZE, testSetLink } from "./gallery.js";
import { feedPreview } from "./preview.js";

const COUNTS = [2, 3, 4, 5, 6, 7, 8];

export async function variantsView(main) {
  const file = h("input", { type: "file", id: "variants-file", accept: "image/jpeg,image/png,image/webp" });
  const source = h("img", { id: "variants-source", class: "variants-source", alt: t("yourThumbnail"), hidden: true, width: 320, height: 180 });
  const prompt = h("input", { type: "text", id: "variants-prompt", maxlength: 2000, dir: "auto", placeholder: t("variantsPromptHint") });
  const headline = h("input", { type: "text", id: "variants-headline", maxlength: 200, dir: "auto" });
  const count = select({ id: "variants-count" }, COUNTS.map((n) => [String(n), String(n)]), "4");
  const make = h("button", { type: "submit", id: "variants-make" }, t("makeVariants"));
  const status = h("div", { class: "page-note", id: "variants-status", "aria-live": "polite" });
  const grid = h("div", { class: "grid variant-tiles", id: "variants-grid" });
  const pickCount = h("span", { class: "muted", id: "variant-pick-count", "aria-live": "polite" });
  const preview = h("button", { type: "button", id: "variants-preview", class: "small ghost", disabled: true }, t("previewInFeed"));
  const feedBox = h("section", { id: "variants-feed", "aria-label": t("previewTitle") });
  const compare = h("button", { type: "button", id: "variants-compare", disabled: true }, t("testCompare"));
  const result = h("span", { class: "test-set-result" });
  const bar = h("div", { class: "compare-bar", hidden: true }, pickCount, preview, compare, result);

  let uploaded = null;
  let sourceUrl = null;
  let zipUrl = null;
  let current = null;
  let feed = null;
  const picks = new Set();
  const closeFeed = () => { if (feed) feed.cleanup(); feed = null; feedBox.replaceChildren(); };

  file.addEventListener("change", async () => {
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    if (sourceUrl) URL.revokeObjectURL(sourceUrl);
    sourceUrl = URL.createObjectURL(chosen);
    source.src = sourceUrl;
    source.hidden = false;
    uploaded = null;
    make.disabled = true;
    status.replaceChildren(states.loading());
    try {
      uploaded = await upload(chosen);
      source.dataset.file = uploaded.id;
      status.replaceChildren();
    } catch (e) {
      status.replaceChildren(states.error(e));
    } finally {
      make.disabled = false;
    }
  });

  const refresh = () => {
    pickCount.textContent = t("picked", { n: picks.size, of: SET_SIZE });
    compare.disabled = picks.size !== SET_SIZE;
    preview.disabled = picks.size === 0;
  };
  // The picks side by side in a feed, on this page (the grid and picks stay as they are).
  preview.addEventListener("click", () => {
    if (!current || !picks.size) return;
    closeFeed();
    const shown = [...picks].sort((a, b) => a - b).join(",");
    feed = feedPreview(current.id, { variants: shown, placeholder: current.headline || current.prompt });
    feedBox.replaceChildren(h("h2", {}, t("previewTitle")), feed.element);
    feedBox.scrollIntoView({ block: "start" });
  });

  const tiles = (g) => {
    grid.replaceChildren();
    picks.clear();
    closeFeed();
    for (const v of g.variants || []) {
      const box = h("input", { type: "checkbox", "data-pick-variant": v.index, "aria-label": t("pickForTest") });
      box.addEventListener("change", () => {
        if (box.checked && picks.size >= SET_SIZE) { box.checked = false; toast(t("pickedEnough", { n: SET_SIZE })); return; }
        if (box.checked) picks.add(v.index); else picks.delete(v.index);
        refresh();
      });
      const changed = (v.changed || []).map((c) => t("changed_" + c)).join(", ");
      grid.append(h("figure", { class: "variant-tile", "data-variant": v.index, "data-changed": (v.changed || []).join(",") },
        h("a", { href: v.url, target: "_blank", rel: "noopener" },
          h("img", { src: v.preview_url, alt: t("variantN", { n: v.index + 1 }), width: 320, height: 180, loading: "lazy" })),
        h("figcaption", {},
          h("strong", {}, changed || t("variantN", { n: v.index + 1 })),
          v.note ? h("span", { class: "muted small", dir: "auto" }, v.note) : null,
          h("label", { class: "check" }, box, " ", t("pickForTest")))));
    }
    bar.hidden = false;
    refresh();
  };

  const follow = async (g) => {
    for (let i = 0; i < 300 && (g.status === "queued" || g.status === "processing"); i++) {
      status.replaceChildren(h("p", { class: "muted" }, t(g.status)));
      await new Promise((r) => setTimeout(r, 500));
      g = await api("GET", `/api/v1/generations/${g.id}`);
    }
    return g;
  };

  const form = h("form", { class: "variants-form", id: "variants-form" },
    field(t("yourThumbnail"), file, t("variantsFileHint")), source,
    field(t("variantsPrompt"), prompt), field(t("variantsHeadline"), headline, t("optional")),
    field(t("variantsCount"), count), make);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!uploaded) { toast(t("variantsNeedFile")); file.focus(); return; }
    make.disabled = true;
    status.replaceChildren(states.loading());
    try {
      const body = {
        prompt: prompt.value.trim() || t("variantsDefaultPrompt"),
        source_file_id: uploaded.id,
        variants: Number(count.value),
      };
      if (headline.value.trim()) body.headline = headline.value.trim();
      const g = await follow(await api("POST", "/api/v1/generations", body));
      current = g;
      if (g.status !== "completed") { status.replaceChildren(states.error(new Error(g.error || t(g.status)))); return; }
      status.replaceChildren(h("p", { class: "muted" }, t("variantsMade", { n: (g.variants || []).length })));
      tiles(g);
    } catch (err) {
      status.replaceChildren();
      fail(err);
    } finally {
      make.disabled = false;
    }
  });
  compare.addEventListener("click", async () => {
    if (!current) return;
    compare.disabled = true;
    zipUrl = await testSetLink([...picks].sort((a, b) => a - b).map((i) => `${current.id}:${i}`), result, zipUrl);
    refresh();
  });

  main.replaceChildren(h("section", { class: "page variants-page" },
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, t("variantsTitle"))),
    h("p", { class: "muted" }, t("variantsIntro")),
    form, status, bar, grid, feedBox));
  return () => {
    closeFeed();
    if (sourceUrl) URL.revokeObjectURL(sourceUrl);
    if (zipUrl) URL.revokeObjectURL(zipUrl);
  };
}
