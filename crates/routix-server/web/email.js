// Pages reached from a mail — confirming the address (/verify?token=…), asking for a reset
// link (/forgot), choosing a new password (/reset?token=…) — plus the reminder banner for an
// unconfirmed account and the change-password card of the account page. A link's token is
// read once and dropped from the address bar, so it stays out of history.

import { api, currentUser, setUser, signIn, signOut } from "./api.js";
import { h, field, errorText, toast, fail } from "./dom.js";
import { t } from "./i18n.js";

/// The token of the link that opened this page, removed from the address bar.
function takeToken(path) {
  const token = new URLSearchParams(location.search).get("token") || "";
  history.replaceState(null, "", path);
  return token.trim();
}

const post = (path, body) => api("POST", path, body, { auth: false });

function linkError(err) {
  if (err && err.code === "token_gone") return t("linkGone");
  if (err && err.code === "invalid_token") return t("linkInvalid");
  return errorText(err);
}

function page(titleKey, ...content) {
  return h("section", { class: "center" }, h("div", { class: "card auth", id: "mail-page" },
    h("h1", { tabindex: "-1" }, t(titleKey)), ...content));
}

async function resend(button) {
  button.disabled = true;
  try {
    await api("POST", "/api/v1/auth/verify/resend", {});
    toast(t("resent"));
  } catch (err) {
    if (err.code === "already_verified") { setUser({ ...currentUser, email_verified: true }); toast(t("err_already_verified")); } else fail(err);
  } finally { button.disabled = false; }
}

export async function verifyView(main) {
  const token = takeToken("/verify");
  const status = h("p", { role: "status", id: "verify-status" }, t("verifying"));
  main.replaceChildren(page("verify", status));
  try {
    await post("/api/v1/auth/verify", { token });
    status.textContent = t("verified");
    if (currentUser) setUser({ ...currentUser, email_verified: true });
    status.after(h("a", { href: currentUser ? "/chat" : "/login", class: "button" }, currentUser ? t("continue") : t("signIn")));
  } catch (err) {
    status.textContent = linkError(err);
    status.className = "error";
    if (currentUser && !currentUser.email_verified) {
      const again = h("button", { type: "button", id: "verify-resend" }, t("askNewLink"));
      again.addEventListener("click", () => resend(again));
      status.after(again);
    }
  }
}

export async function forgotView(main) {
  const email = h("input", { type: "email", id: "forgot-email", required: true, autocomplete: "email", dir: "ltr", value: currentUser ? currentUser.email : "" });
  const error = h("p", { class: "error", role: "alert" });
  const submit = h("button", { type: "submit" }, t("sendLink"));
  const form = h("form", { class: "card auth", id: "forgot-form", "aria-labelledby": "forgot-title" },
    h("h1", { id: "forgot-title", tabindex: "-1" }, t("forgot")),
    h("p", { class: "muted" }, t("forgotIntro")),
    field(t("email"), email), error, submit, h("a", { href: "/login" }, t("signIn")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    submit.disabled = true;
    try {
      await post("/api/v1/auth/password/forgot", { email: email.value.trim() });
      form.replaceChildren(h("h1", { id: "forgot-title", tabindex: "-1" }, t("forgot")),
        h("p", { role: "status", id: "forgot-sent" }, t("forgotSent", { email: email.value.trim() })),
        h("a", { href: "/login" }, t("signIn")));
    } catch (err) {
      error.textContent = errorText(err);
      submit.disabled = false;
    }
  });
  main.replaceChildren(h("section", { class: "center" }, form));
  email.focus();
}

export async function resetView(main, { navigate }) {
  const token = takeToken("/reset");
  const password = h("input", { type: "password", id: "reset-password", required: true, minlength: 8, maxlength: 128, autocomplete: "new-password", dir: "ltr" });
  const again = h("input", { type: "password", id: "reset-again", required: true, minlength: 8, maxlength: 128, autocomplete: "new-password", dir: "ltr" });
  const error = h("p", { class: "error", role: "alert", id: "reset-error" });
  const submit = h("button", { type: "submit" }, t("setPassword"));
  const form = h("form", { class: "card auth", id: "reset-form", "aria-labelledby": "reset-title" },
    h("h1", { id: "reset-title", tabindex: "-1" }, t("reset")),
    field(t("newPassword"), password, t("passwordHint")), field(t("confirmPassword"), again), error, submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    if (password.value !== again.value) { error.textContent = t("passwordsDiffer"); again.focus(); return; }
    submit.disabled = true;
    try {
      await post("/api/v1/auth/password/reset", { token, password: password.value });
      // Every session of the account was signed out, this browser's too.
      if (currentUser) await signOut();
      form.replaceChildren(h("h1", { id: "reset-title", tabindex: "-1" }, t("reset")),
        h("p", { role: "status", id: "reset-done" }, t("passwordReset")),
        h("a", { href: "/login", class: "button", onclick: (ev) => { ev.preventDefault(); navigate("/login"); } }, t("signIn")));
    } catch (err) {
      error.textContent = err.code === "validation_error" ? errorText(err) : linkError(err);
      submit.disabled = false;
      if (err.code === "token_gone" || err.code === "invalid_token") {
        error.after(h("a", { href: "/forgot" }, t("askNewLink")));
        submit.hidden = true;
      }
    }
  });
  main.replaceChildren(h("section", { class: "center" }, form));
  if (!token) { error.textContent = t("linkInvalid"); submit.hidden = true; } else password.focus();
}

/// "Please confirm your address" with a resend button, for an unconfirmed signed-in account.
export function verifyBanner() {
  if (!currentUser || currentUser.email_verified !== false) return null;
  const button = h("button", { type: "button", class: "ghost", id: "banner-resend" }, t("resend"));
  button.addEventListener("click", () => resend(button));
  return h("div", { class: "verify-banner", role: "note", id: "verify-banner" },
    h("span", {}, t("verifyBanner"), " ", h("bdi", { dir: "ltr" }, currentUser.email)), button);
}

/// The account page's change-password form. The server signs out every other session and
/// this one too (its refresh token lives in a cookie scripts can't read), so the form signs
/// in again with the new password.
export function passwordCard() {
  const current = h("input", { type: "password", id: "current-password", required: true, autocomplete: "current-password", dir: "ltr" });
  const next = h("input", { type: "password", id: "new-password", required: true, minlength: 8, maxlength: 128, autocomplete: "new-password", dir: "ltr" });
  const submit = h("button", { type: "submit" }, t("changePassword"));
  const form = h("form", { class: "card profile", id: "password-form", "aria-labelledby": "password-title" },
    h("h2", { id: "password-title" }, t("changePassword")),
    field(t("currentPassword"), current), field(t("newPassword"), next, t("passwordHint")),
    h("p", { class: "muted small" }, h("a", { href: "/forgot" }, t("forgotLink"))),
    h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      await api("PATCH", "/api/v1/users/me/password", { current_password: current.value, new_password: next.value });
      await signIn(currentUser.email, next.value);
      current.value = ""; next.value = "";
      toast(t("passwordChanged"));
    } catch (err) { fail(err); } finally { submit.disabled = false; }
  });
  return form;
}

/// The admin users table: a confirmed address gets a badge, an unconfirmed one a button that
/// mails its owner a new link.
export function verificationState(user) {
  if (user.email_verified) return h("span", { class: "badge s-completed", role: "img", title: t("emailVerified"), "aria-label": t("emailVerified") }, "✓");
  const button = h("button", { type: "button", class: "ghost resend-link", "data-resend": user.id }, t("resendVerification"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("POST", `/api/v1/admin/users/${user.id}/verification/resend`, {});
      toast(t("resent"));
    } catch (err) { fail(err); } finally { button.disabled = false; }
  });
  return button;
}
