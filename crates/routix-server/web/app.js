// The app shell: session, header, language, client-side routing.

import { currentUser, resume, signOut, api, setUser } from "./api.js";
import { t, setLang, initialLang, getLang } from "./i18n.js";
import { h, toast, views } from "./views.js";

const main = document.getElementById("main");
const top = document.getElementById("top");
let cleanup = null;

export function navigate(path, replace = false) {
  if (replace) history.replaceState(null, "", path); else history.pushState(null, "", path);
  route();
}

async function changeLang(lang) {
  setLang(lang);
  if (currentUser) {
    try { setUser(await api("PATCH", "/api/v1/users/me", { locale: lang })); } catch (_) { /* keep local choice */ }
  }
  route();
}

function header() {
  top.replaceChildren();
  const nav = h("nav", { "aria-label": "Main" });
  const here = location.pathname;
  const link = (path, label) => {
    const a = h("a", { href: path, class: here.startsWith(path) ? "active" : "" }, label);
    if (here.startsWith(path)) a.setAttribute("aria-current", "page");
    return a;
  };
  if (currentUser) {
    nav.append(link("/chat", t("chat")), link("/gallery", t("gallery")), link("/templates", t("templates")), link("/account", t("account")));
    if (currentUser.role === "admin") nav.append(link("/admin", t("admin")));
  }
  const langSelect = h("select", { "aria-label": t("language"), id: "lang" },
    h("option", { value: "en" }, "English"), h("option", { value: "fa" }, "فارسی"));
  langSelect.value = getLang();
  langSelect.addEventListener("change", () => changeLang(langSelect.value));
  const right = h("div", { class: "top-actions" }, langSelect);
  if (currentUser) {
    const out = h("button", { type: "button", class: "ghost", id: "sign-out" }, t("signOut"));
    out.addEventListener("click", async () => { await signOut(); navigate("/login"); });
    right.append(out);
  }
  top.append(h("a", { href: currentUser ? "/chat" : "/login", class: "brand" }, t("brand")), nav, right);
}

async function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  const path = location.pathname;
  if (!currentUser && !["/login", "/register"].includes(path)) { history.replaceState(null, "", "/login"); }
  if (currentUser && ["/", "/login", "/register"].includes(location.pathname)) { history.replaceState(null, "", "/chat"); }
  header();
  const p = location.pathname;
  const page = p.startsWith("/chat") ? "chat" : p.slice(1) || "login";
  const view = views[page] || views.chat;
  main.replaceChildren(h("p", { class: "loading", role: "status" }, t("loading")));
  try {
    cleanup = (await view(main, { navigate, params: p.split("/").slice(2) })) || null;
  } catch (e) {
    main.replaceChildren(h("p", { class: "error", role: "alert" }, t("error", { m: e.message })));
  }
}

document.addEventListener("click", (e) => {
  const a = e.target.closest("a");
  if (!a || a.target || a.hasAttribute("download") || e.metaKey || e.ctrlKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/") || url.pathname.startsWith("/uploads/") || url.pathname.startsWith("/docs")) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", route);
window.addEventListener("routix:signed-in", () => { setLang(initialLang(currentUser && currentUser.locale)); navigate("/chat", true); });

(async () => {
  setLang(initialLang());
  const user = await resume();
  if (user) setLang(initialLang(user.locale));
  route();
})().catch((e) => toast(e.message));
