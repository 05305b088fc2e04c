// Sign in and sign up. On success the app shell takes over (the `routix:signed-in` event).

import { signIn, signUp } from "./api.js";
import { h, field, errorText } from "./dom.js";
import { t, getLang } from "./i18n.js";

export function authView(mode) {
  return async (main) => {
    const isUp = mode === "register";
    const email = h("input", { type: "email", id: "email", name: "email", required: true, autocomplete: "email", dir: "ltr" });
    const password = h("input", { type: "password", id: "password", name: "password", required: true, minlength: 8, autocomplete: isUp ? "new-password" : "current-password", dir: "ltr" });
    const name = h("input", { type: "text", id: "display-name", name: "display_name", autocomplete: "nickname", maxlength: 100, dir: "auto" });
    const error = h("p", { class: "error", role: "alert", id: "auth-error" });
    const submit = h("button", { type: "submit", id: "auth-submit" }, isUp ? t("signUp") : t("signIn"));
    const form = h("form", { class: "card auth", "aria-labelledby": "auth-title" },
      h("h1", { id: "auth-title", tabindex: "-1" }, isUp ? t("signUp") : t("signIn")),
      h("p", { class: "muted" }, t("tagline")),
      field(t("email"), email),
      field(t("password"), password, isUp ? t("passwordHint") : null),
      isUp ? field(`${t("displayName")} (${t("optional")})`, name) : null,
      error, submit,
      isUp ? null : h("a", { href: "/forgot", id: "forgot-link" }, t("forgotLink")),
      h("a", { href: isUp ? "/login" : "/register" }, isUp ? t("haveAccount") : t("noAccount")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      error.textContent = "";
      submit.disabled = true;
      try {
        if (isUp) await signUp(email.value.trim(), password.value, name.value.trim(), getLang());
        else await signIn(email.value.trim(), password.value);
        window.dispatchEvent(new Event("routix:signed-in"));
      } catch (err) {
        error.textContent = errorText(err);
        submit.disabled = false;
        password.focus();
      }
    });
    main.replaceChildren(h("section", { class: "center" }, form));
    email.focus();
  };
}
