// The account page's brand kit card: logo and face photo (with previews), up to four
// colours, the headline font and the logo's corner. Saved with one multipart PUT that sends
// only what changed; pictures are removed with their own DELETE.

import { api } from "./api.js";
import { h, fail, field, select, toast } from "./dom.js";
import { t } from "./i18n.js";

const MAX_COLORS = 4;
const CORNERS = ["top-left", "top-right", "bottom-left", "bottom-right"];

/// A stored picture's preview: fetched with the session's token, shown from a blob URL.
async function showStored(img, picture) {
  if (img.dataset.blob) URL.revokeObjectURL(img.dataset.blob);
  delete img.dataset.blob;
  img.hidden = !picture;
  img.removeAttribute("src");
  if (!picture) return;
  try {
    const url = URL.createObjectURL(await api("GET", picture.url));
    img.dataset.blob = url;
    img.src = url;
  } catch (_) { img.hidden = true; }
}

/// One picture: its preview, a file input (previewed before saving) and a remove button.
function pictureField(kind, accept, picture, onRemoved) {
  const img = h("img", { class: "brand-preview " + kind, id: `brand-${kind}-preview`, alt: t(kind === "logo" ? "brandLogoAlt" : "brandFaceAlt"), hidden: true });
  const input = h("input", { type: "file", id: `brand-${kind}`, accept });
  const remove = h("button", { type: "button", class: "ghost danger", "data-brand-remove": kind, hidden: !picture }, t("brandRemove"));
  input.addEventListener("change", () => {
    const file = input.files[0];
    if (!file) return;
    if (img.dataset.blob) URL.revokeObjectURL(img.dataset.blob);
    img.dataset.blob = URL.createObjectURL(file);
    img.src = img.dataset.blob;
    img.hidden = false;
  });
  remove.addEventListener("click", async () => {
    remove.disabled = true;
    try {
      const kit = await api("DELETE", `/api/v1/users/me/brand/${kind}`);
      input.value = "";
      await showStored(img, null);
      remove.hidden = true;
      onRemoved(kit);
      toast(t("saved"));
    } catch (err) { fail(err); } finally { remove.disabled = false; }
  });
  showStored(img, picture);
  const hint = t(kind === "logo" ? "brandLogoHint" : "brandFaceHint");
  return { input, img, remove, wrap: h("div", { class: "brand-picture" }, field(t(kind === "logo" ? "brandLogo" : "brandFace"), input, hint), img, h("div", { class: "actions" }, remove)) };
}

/// The colour pickers: one swatch per colour, each removable, "add" up to four.
function colorField(colors) {
  const list = h("div", { class: "brand-colors", id: "brand-colors", role: "group", "aria-label": t("brandColors") });
  const add = h("button", { type: "button", class: "ghost", id: "brand-color-add" }, t("brandAddColor"));
  const refresh = () => { add.hidden = list.children.length >= MAX_COLORS; };
  const swatch = (value) => {
    const n = list.children.length + 1;
    const input = h("input", { type: "color", value, "aria-label": t("brandColorN", { n }) });
    const drop = h("button", { type: "button", class: "ghost small", "aria-label": t("brandRemoveColor", { n }) }, "×");
    const item = h("span", { class: "brand-color" }, input, drop);
    drop.addEventListener("click", () => { item.remove(); refresh(); });
    list.append(item);
    refresh();
  };
  colors.forEach(swatch);
  add.addEventListener("click", () => swatch("#ff3b30"));
  refresh();
  const values = () => [...list.querySelectorAll("input[type=color]")].map((i) => i.value);
  return { values, wrap: h("div", { class: "field" }, h("p", { class: "label" }, t("brandColors")), list, add, h("p", { class: "hint muted small" }, t("brandColorsHint"))) };
}

/// The account page's card; null when the kit cannot be read.
export async function brandCard() {
  let kit;
  try { kit = await api("GET", "/api/v1/users/me/brand"); } catch (_) { return null; }
  const logo = pictureField("logo", "image/png,image/webp", kit.logo, (k) => { kit = k; });
  const face = pictureField("face", "image/jpeg,image/png,image/webp", kit.face, (k) => { kit = k; });
  const colors = colorField(kit.colors);
  const font = select({ id: "brand-font" }, [["", t("brandFontLayout")], ...kit.fonts.map((f) => [f.id, f.name])], kit.font || "");
  const corner = select({ id: "brand-corner" }, CORNERS.map((c) => [c, t("corner_" + c)]), kit.logo_position);
  const save = h("button", { type: "submit", id: "brand-save" }, t("save"));
  const form = h("form", { class: "card brand", id: "brand", "aria-labelledby": "brand-title" },
    h("h2", { id: "brand-title" }, t("brandTitle")),
    h("p", { class: "muted small" }, t("brandExplain")),
    h("div", { class: "brand-pictures" }, logo.wrap, face.wrap),
    colors.wrap,
    field(t("brandFont"), font, t("brandFontHint")),
    field(t("brandCorner"), corner, t("brandCornerHint")),
    h("div", { class: "actions" }, save));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = new FormData();
    if (logo.input.files[0]) body.append("logo", logo.input.files[0]);
    if (face.input.files[0]) body.append("face", face.input.files[0]);
    body.append("colors", colors.values().join(","));
    body.append("font", font.value);
    body.append("logo_position", corner.value);
    save.disabled = true;
    try {
      kit = await api("PUT", "/api/v1/users/me/brand", body, { form: true });
      logo.input.value = ""; face.input.value = "";
      await Promise.all([showStored(logo.img, kit.logo), showStored(face.img, kit.face)]);
      logo.remove.hidden = !kit.logo; face.remove.hidden = !kit.face;
      toast(t("brandSaved"));
    } catch (err) { fail(err); } finally { save.disabled = false; }
  });
  return form;
}
