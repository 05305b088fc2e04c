// The account: credits balance and history, plan, credit packs to buy, name and language.

import { api, currentUser, setUser, loadWallet } from "./api.js";
import { h, fail, field, select, states, toast } from "./dom.js";
import { t, credits, fmtTime, ledgerNote, num, money, LANGS, getLang } from "./i18n.js";
import { passwordCard } from "./email.js";
import { youtubeCard } from "./youtube.js";
import { brandCard } from "./brand.js";

/// Back from the payment page: say how it went and drop the query from the address.
function checkoutReturn() {
  const outcome = new URLSearchParams(location.search).get("checkout");
  if (!outcome) return;
  history.replaceState(null, "", location.pathname);
  toast(t(outcome === "success" ? "checkoutDone" : "checkoutCancelled"));
  // The provider's webhook credits the pack moments after the redirect.
  if (outcome === "success") setTimeout(() => loadWallet().catch(() => {}), 3000);
}

/// The plan's terms and, when payments are on, the packs with a buy button each.
function billingCards(catalog, planId) {
  const plan = catalog.plans.find((p) => p.id === planId);
  const terms = plan ? (plan.unlimited ? t("unlimited") : plan.monthly_credits ? t("perMonth", { n: plan.monthly_credits }) : null) : null;
  const planCard = h("div", { class: "card stat" }, h("p", { class: "muted" }, t("plan")), h("p", { class: "big", id: "plan" }, t("plan_" + planId)),
    terms ? h("p", { class: "muted small", id: "plan-terms" }, terms) : null);
  if (!catalog.payments_enabled || !catalog.packs.length) return { planCard, packs: null };
  const buy = async (pack, button) => {
    button.disabled = true;
    try {
      const { url } = await api("POST", "/api/v1/billing/checkout", { pack: pack.id });
      toast(t("redirecting"));
      location.assign(url);
    } catch (err) { fail(err); button.disabled = false; }
  };
  const packs = h("div", { class: "cards", id: "packs" }, catalog.packs.map((pack) => {
    const button = h("button", { type: "button", "data-pack": pack.id }, t("buyPack", { price: money(pack.price_cents, pack.currency) }));
    button.addEventListener("click", () => buy(pack, button));
    return h("div", { class: "card stat" }, h("p", { class: "muted" }, getLang() === "fa" ? pack.name_fa : pack.name_en),
      h("p", { class: "big" }, credits(pack.credits)), h("div", { class: "actions" }, button));
  }));
  return { planCard, packs };
}

export async function accountView(main, { changeLang }) {
  const [wallet, catalog, youtube] = await Promise.all([api("GET", "/api/v1/users/me/credits?limit=25"),
    api("GET", "/api/v1/billing/plans").catch(() => ({ plans: [], packs: [], payments_enabled: false })),
    youtubeCard()]);
  checkoutReturn();
  const { planCard, packs } = billingCards(catalog, wallet.plan);
  loadWallet().catch(() => {});
  const name = h("input", { id: "account-name", value: currentUser.display_name, maxlength: 100, autocomplete: "nickname", dir: "auto" });
  const lang = select({ id: "account-lang" }, Object.entries(LANGS), getLang());
  const save = h("button", { type: "submit" }, t("save"));
  const profile = h("form", { class: "card profile", "aria-labelledby": "profile-title" },
    h("h2", { id: "profile-title" }, t("profile")),
    h("p", { class: "muted small" }, h("bdi", { dir: "ltr" }, currentUser.email)),
    field(t("displayName"), name), field(t("language"), lang), h("div", { class: "actions" }, save));
  profile.addEventListener("submit", async (e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      setUser(await api("PATCH", "/api/v1/users/me", { display_name: name.value.trim(), locale: lang.value }));
      toast(t("saved"));
      if (lang.value !== getLang()) changeLang(lang.value);
    } catch (err) { fail(err); } finally { save.disabled = false; }
  });

  const tbody = h("tbody");
  const row = (e) => h("tr", {},
    h("td", {}, h("time", { datetime: e.created_at }, fmtTime(e.created_at))),
    h("td", {}, t("k_" + e.kind)),
    h("td", { class: e.amount < 0 ? "neg num" : e.amount > 0 ? "pos num" : "num" }, h("bdi", { dir: "ltr" }, (e.amount > 0 ? "+" : "") + num(e.amount))),
    h("td", { dir: "auto" }, ledgerNote(e.note)));
  wallet.ledger.forEach((e) => tbody.append(row(e)));
  let cursor = wallet.next_cursor;
  const more = h("button", { type: "button", class: "ghost more", hidden: !cursor }, t("loadMore"));
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const page = await api("GET", `/api/v1/users/me/credits?limit=25&cursor=${encodeURIComponent(cursor)}`);
      page.ledger.forEach((e) => tbody.append(row(e)));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (err) { fail(err); } finally { more.disabled = false; }
  });
  const ledger = wallet.ledger.length
    ? h("div", { class: "table-wrap" }, h("table", {},
      h("caption", { class: "sr-only" }, t("ledger")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("when")), h("th", { scope: "col" }, t("kind")), h("th", { scope: "col" }, t("amount")), h("th", { scope: "col" }, t("note")))),
      tbody))
    : states.empty(t("emptyLedger"));

  main.replaceChildren(h("section", { class: "page" },
    h("h1", { tabindex: "-1" }, t("account")),
    h("div", { class: "cards" },
      h("div", { class: "card stat" }, h("p", { class: "muted" }, t("balance")), h("p", { class: "big", id: "balance" }, credits(wallet.balance))),
      planCard),
    packs ? h("h2", {}, t("buyCredits")) : null, packs,
    profile, await brandCard(), youtube, passwordCard(),
    h("h2", {}, t("ledger")), ledger, more));
}
