// The app shell: session, header, language, client-side routing.

import { currentUser, resume, signOut, api, setUser, wallet, loadWallet } from "./api.js";
import { t, setLang, initialLang, getLang, credits, LANGS } from "./i18n.js";
import { h, toast, select, states } from "./dom.js";
import { authView } from "./auth.js";
import { chatView } from "./chat.js";
import { galleryView } from "./gallery.js";
import { previewView } from "./preview.js";
import { variantsView } from "./variants.js";
import { templatesView } from "./templates.js";
import { accountView } from "./account.js";
import { adminView } from "./admin.js";
import { verifyView, forgotView, resetView, verifyBanner } from "./email.js";
import { broadcastBanners, loadBroadcasts } from "./broadcasts.js";

const VIEWS = {
  login: authView("login"),
  register: authView("register"),
  chat: chatView,
  gallery: galleryView,
  preview: previewView,
  variants: variantsView,
  templates: templatesView,
  account: accountView,
  admin: adminView,
  verify: verifyView,
  forgot: forgotView,
  reset: resetView,
};
const PUBLIC = ["login", "register"];
// Pages opened from a mail: they work signed in or not.
const FROM_MAIL = ["/verify", "/forgot", "/reset"];

const main = document.getElementById("main");
const top = document.getElementById("top");
let cleanup = null;
let firstRoute = true;

export function navigate(path, replace = false) {
  if (replace) history.replaceState(null, "", path); else history.pushState(null, "", path);
  route();
}

async function changeLang(lang) {
  setLang(lang);
  if (currentUser && currentUser.locale !== lang) {
    try { setUser(await api("PATCH", "/api/v1/users/me", { locale: lang })); } catch (_) { /* keep the local choice */ }
  }
  route();
}

const walletText = () => (wallet ? credits(wallet.balance) : "…");
window.addEventListener("routix:wallet", () => {
  const pill = document.getElementById("wallet");
  if (pill) pill.textContent = walletText();
});

function balancePill() {
  return h("a", { href: "/account", class: "pill wallet", id: "wallet", title: t("balance") }, walletText());
}

function header(page) {
  top.replaceChildren();
  document.querySelector(".skip").textContent = t("skip");
  const nav = h("nav", { "aria-label": t("mainNav") });
  const link = (name) => {
    const here = page === name;
    return h("a", { href: "/" + name, class: here ? "active" : "", "aria-current": here ? "page" : null }, t(name));
  };
  if (currentUser) {
    nav.append(link("chat"), link("gallery"), link("variants"), link("templates"), link("account"));
    if (currentUser.role === "admin") nav.append(link("admin"));
  }
  const langSelect = select({ "aria-label": t("language"), id: "lang" }, Object.entries(LANGS), getLang());
  langSelect.addEventListener("change", () => changeLang(langSelect.value));
  const right = h("div", { class: "top-actions" });
  if (currentUser) right.append(balancePill());
  right.append(langSelect);
  if (currentUser) {
    const out = h("button", { type: "button", class: "ghost", id: "sign-out" }, t("signOut"));
    out.addEventListener("click", async () => { await signOut(); navigate("/login"); });
    right.append(out);
  }
  top.append(h("a", { href: currentUser ? "/chat" : "/login", class: "brand" }, t("brand")), nav, right);
  const banner = page === "verify" ? null : verifyBanner();
  if (banner) top.append(banner);
  if (currentUser) top.append(broadcastBanners());
}

async function route() {
  if (cleanup) { try { cleanup(); } catch (_) { /* a view's teardown must not block the next */ } cleanup = null; }
  let path = location.pathname;
  if (!currentUser && !["/login", "/register", ...FROM_MAIL].includes(path)) { history.replaceState(null, "", "/login"); path = "/login"; }
  if (currentUser && ["/", "/login", "/register"].includes(path)) { history.replaceState(null, "", "/chat"); path = "/chat"; }
  const parts = path.split("/").filter(Boolean);
  const page = parts[0] || "chat";
  header(page);
  document.body.classList.toggle("app-chat", page === "chat" && Boolean(currentUser));
  document.title = `${VIEWS[page] ? t(PUBLIC.includes(page) ? (page === "login" ? "signIn" : "signUp") : page) : t("notFound")} — ${t("brand")}`;
  main.replaceChildren(states.loading());
  const view = VIEWS[page];
  if (!view) { main.replaceChildren(h("section", { class: "page" }, h("h1", { tabindex: "-1" }, t("notFound")), h("a", { href: "/chat" }, t("chat")))); return; }
  const moveFocus = !firstRoute;
  firstRoute = false;
  try {
    cleanup = (await view(main, { navigate, changeLang, params: parts.slice(1) })) || null;
  } catch (e) {
    main.replaceChildren(h("section", { class: "page" }, states.error(e, () => route())));
  }
  // Keyboard and screen-reader users land on the new page's heading, not the old link.
  if (moveFocus && !main.contains(document.activeElement)) {
    (main.querySelector("h1[tabindex]") || main).focus({ preventScroll: true });
  }
}

document.addEventListener("click", (e) => {
  const a = e.target.closest("a");
  if (!a || a.target || a.hasAttribute("download") || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || /^\/(api|uploads|docs)\b/.test(url.pathname)) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", route);
window.addEventListener("routix:signed-in", () => {
  setLang(initialLang(currentUser && currentUser.locale));
  loadWallet().catch(() => {});
  loadBroadcasts();
  navigate("/chat", true);
});

(async () => {
  setLang(initialLang());
  const user = await resume();
  if (user) { setLang(initialLang(user.locale)); loadWallet().catch(() => {}); loadBroadcasts(); }
  route();
})().catch((e) => toast(e.message));
