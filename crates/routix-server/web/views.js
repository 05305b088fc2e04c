// The pages. User content is always set as text (never parsed as HTML).

import { api, ApiError, currentUser, download, signIn, signUp, upload } from "./api.js";
import { t, getLang } from "./i18n.js";
import { Live } from "./live.js";

/// Builds an element; string children become text nodes (escaped by construction).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function toast(message) {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.remove("show"), 4000);
}

function fail(e) {
  toast(e instanceof ApiError && e.status === 402 ? t("notEnoughCredits", { m: e.message }) : t("error", { m: e.message }));
}

const PRICES = { basic: 1, premium: 3, pro: 5 };
const fmtTime = (iso) => new Date(iso).toLocaleString(getLang() === "fa" ? "fa-IR" : "en-GB", { dateStyle: "short", timeStyle: "short" });

// ---------- sign in / sign up ----------

function authView(mode) {
  return async (main) => {
    const isUp = mode === "register";
    const email = h("input", { type: "email", id: "email", name: "email", required: true, autocomplete: "email" });
    const password = h("input", { type: "password", id: "password", name: "password", required: true, minlength: 8, autocomplete: isUp ? "new-password" : "current-password" });
    const name = h("input", { type: "text", id: "display-name", name: "display_name", autocomplete: "nickname" });
    const error = h("p", { class: "error", role: "alert" });
    const form = h("form", { class: "card auth", novalidate: false },
      h("h1", {}, isUp ? t("signUp") : t("signIn")),
      h("p", { class: "muted" }, t("tagline")),
      h("label", { for: "email" }, t("email")), email,
      h("label", { for: "password" }, t("password")), password,
      isUp ? [h("label", { for: "display-name" }, t("displayName")), name] : null,
      error,
      h("button", { type: "submit", id: "auth-submit" }, isUp ? t("signUp") : t("signIn")),
      h("a", { href: isUp ? "/login" : "/register" }, isUp ? t("haveAccount") : t("noAccount")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      error.textContent = "";
      try {
        if (isUp) await signUp(email.value, password.value, name.value, getLang());
        else await signIn(email.value, password.value);
        window.dispatchEvent(new Event("routix:signed-in"));
      } catch (err) { error.textContent = err.message; }
    });
    main.replaceChildren(h("section", { class: "center" }, form));
    email.focus();
  };
}

// ---------- chat ----------

function stageList(g) {
  const list = h("ol", { class: "stages" });
  for (let n = 1; n <= 5; n++) {
    const done = g.status === "completed" || (g.stages || []).some((s) => s.stage === n && s.finished_at);
    const active = !done && g.stage === n && g.status === "processing";
    list.append(h("li", { class: done ? "done" : active ? "active" : "", "data-stage": n }, h("span", { class: "dot", "aria-hidden": "true" }), t("stage" + n)));
  }
  return list;
}

/// A generation card: live stages, then the image with downloads.
export function generationCard(g, { onDelete } = {}) {
  const card = h("article", { class: "gen-card", "data-generation": g.id, "data-status": g.status });
  const status = h("p", { class: "gen-status" }, h("strong", {}, t(g.status)), ` · ${g.algorithm} · ${g.progress}%`);
  const bar = h("div", { class: "bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": g.progress }, h("span", { class: `fill p${Math.round(g.progress / 5) * 5}` }));
  const frame = h("div", { class: "frame" });
  if (g.status === "completed" && g.result_url) {
    frame.append(h("img", { src: g.preview_url || g.result_url, alt: g.prompt, loading: "lazy", width: 480, height: 270 }));
  } else if (g.status === "failed") {
    frame.append(h("p", { class: "error" }, g.error || t("failed")));
  } else {
    frame.append(stageList(g));
  }
  card.append(frame, status, bar);
  if (g.engine) card.append(h("p", { class: "muted small" }, t("engine", { e: g.engine }), g.fell_back && g.fallback_reason ? ` — ${t("fellBack", { r: g.fallback_reason })}` : ""));
  const actions = h("div", { class: "actions" });
  if (g.status === "completed") {
    for (const f of ["jpeg", "webp", "png"]) {
      actions.append(h("button", { type: "button", class: "small", "data-download": f, onclick: () => download(`/api/v1/generations/${g.id}/download?format=${f}`, `routix-${g.id}.${f === "jpeg" ? "jpg" : f}`).catch(fail) }, t("download", { f: f.toUpperCase() })));
    }
  }
  if (g.status === "queued" || g.status === "processing") {
    actions.append(h("button", { type: "button", class: "small ghost", onclick: () => api("POST", `/api/v1/generations/${g.id}/cancel`, {}).catch(fail) }, t("cancel")));
  }
  if (onDelete) actions.append(h("button", { type: "button", class: "small danger", onclick: () => onDelete(g) }, t("delete")));
  card.append(actions);
  return card;
}

function chatView() {
  return async (main, { navigate, params }) => {
    const convId = params[0];
    const list = h("ul", { class: "conv-list" });
    const newChat = h("button", { type: "button", id: "new-chat" }, "+ " + t("newChat"));
    const sidebar = h("aside", { class: "sidebar", "aria-label": t("conversations") }, newChat, list);
    const stream = h("div", { class: "stream", id: "stream", "aria-live": "polite" });
    const statePill = h("span", { class: "pill", id: "conn-state" });
    const reconnectBtn = h("button", { type: "button", class: "small", hidden: true, id: "reconnect" }, t("reconnect"));
    const typing = h("p", { class: "typing muted", id: "typing", "aria-live": "polite" });
    const input = h("textarea", { id: "composer", rows: 2, "aria-label": t("message"), placeholder: t("message") });
    const algo = h("select", { id: "algorithm", "aria-label": t("algorithm") }, ...Object.entries(PRICES).map(([a, n]) => h("option", { value: a }, t(a, { n }))));
    const fileInput = h("input", { type: "file", accept: "image/jpeg,image/png,image/webp", multiple: true, hidden: true, id: "file-input" });
    const attach = h("button", { type: "button", class: "ghost", id: "attach" }, "+ " + t("attach"));
    const chips = h("div", { class: "chips", id: "attachments" });
    const sendBtn = h("button", { type: "submit", id: "send" }, t("send"));
    const genBtn = h("button", { type: "button", id: "generate", class: "accent" }, t("generate"));
    const form = h("form", { class: "composer" }, chips, input, h("div", { class: "row" }, attach, fileInput, algo, h("span", { class: "spacer" }), sendBtn, genBtn));
    const head = h("div", { class: "chat-head" }, statePill, reconnectBtn);
    const panel = h("section", { class: "chat-panel" }, head, stream, typing, form);
    main.replaceChildren(h("div", { class: "chat" }, sidebar, panel));

    let attachments = [];
    let template = new URLSearchParams(location.search).get("template");
    const userMessages = [];
    const cards = new Map();

    const conversations = await api("GET", "/api/v1/chat/conversations?limit=50");
    if (!conversations.items.length) list.append(h("li", { class: "muted" }, t("noConversations")));
    for (const c of conversations.items) {
      list.append(h("li", {}, h("a", { href: `/chat/${c.id}`, class: c.id === convId ? "active" : "", "aria-current": c.id === convId ? "page" : null }, c.title)));
    }
    newChat.addEventListener("click", async () => {
      try {
        const c = await api("POST", "/api/v1/chat/conversations", { title: new Date().toLocaleDateString() });
        navigate(`/chat/${c.id}`);
      } catch (e) { fail(e); }
    });
    if (!convId) {
      if (conversations.items.length) { navigate(`/chat/${conversations.items[0].id}`, true); return; }
      stream.append(h("p", { class: "empty" }, t("emptyChat")));
      form.hidden = true;
      return;
    }

    const bubble = (m) => {
      const mine = m.role === "user";
      const el = h("div", { class: `msg ${mine ? "mine" : "theirs"}`, "data-message": m.id },
        h("p", { class: "who" }, mine ? t("you") : t("assistant")), h("p", { class: "text", dir: "auto" }, m.content));
      const sugg = m.metadata && m.metadata.suggestions;
      if (sugg && sugg.length) {
        const row = h("div", { class: "suggestions", "aria-label": t("suggestions") });
        for (const s of sugg) {
          const b = h("button", { type: "button", class: "chip", "data-template": s.template_id, title: (s.reasons || []).join(" · ") }, `${s.name || s.template_id} · ${Math.round(s.match_score)}`);
          b.addEventListener("click", () => {
            template = s.template_id;
            row.querySelectorAll(".chip").forEach((x) => x.classList.toggle("selected", x === b));
          });
          row.append(b);
        }
        el.append(row);
      }
      return el;
    };
    const seen = new Set();
    const addMessage = (m) => {
      if (seen.has(m.id)) return;
      seen.add(m.id);
      if (m.role === "user") userMessages.push(m.content);
      stream.querySelector(".empty")?.remove();
      stream.append(bubble(m));
      stream.scrollTop = stream.scrollHeight;
    };
    const showGeneration = (g) => {
      const card = generationCard(g);
      const old = cards.get(g.id);
      if (old) old.replaceWith(card); else { stream.append(card); stream.scrollTop = stream.scrollHeight; }
      cards.set(g.id, card);
    };

    const history = await api("GET", `/api/v1/chat/conversations/${convId}/messages?limit=100`);
    if (!history.items.length) stream.append(h("p", { class: "empty" }, t("emptyChat")));
    history.items.forEach(addMessage);
    const gens = await api("GET", `/api/v1/generations?conversation_id=${convId}&limit=20`);
    gens.items.reverse().forEach(showGeneration);

    const typers = new Map();
    const live = new Live(convId, {
      lastId: history.items.length ? history.items[history.items.length - 1].id : null,
      onState: (state, n) => {
        statePill.textContent = state === "reconnecting" ? t("reconnecting", { n }) : t(state);
        statePill.dataset.state = state;
        reconnectBtn.hidden = state !== "offline";
      },
      onEvent: (e) => {
        if (e.type === "message") addMessage(e.message);
        else if (e.type === "generation") showGeneration(e.generation);
        else if (e.type === "typing") {
          clearTimeout(typers.get(e.user_id));
          if (e.is_typing) typers.set(e.user_id, setTimeout(() => { typers.delete(e.user_id); typing.textContent = typers.size ? t("typing") : ""; }, 4000));
          else typers.delete(e.user_id);
          typing.textContent = typers.size ? t("typing") : "";
        } else if (e.type === "error") toast(e.message);
      },
    });
    reconnectBtn.addEventListener("click", () => live.reconnect());
    live.open();

    let typingSent = 0;
    let typingStop;
    input.addEventListener("input", () => {
      if (Date.now() - typingSent > 2000) { live.send({ type: "typing", is_typing: true }); typingSent = Date.now(); }
      clearTimeout(typingStop);
      typingStop = setTimeout(() => { live.send({ type: "typing", is_typing: false }); typingSent = 0; }, 2500);
    });
    input.addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });

    const renderChips = () => {
      chips.replaceChildren(...attachments.map((f) => h("span", { class: "chip", "data-file": f.id }, f.original_name || "image",
        h("button", { type: "button", class: "x", "aria-label": t("remove"), onclick: () => { attachments = attachments.filter((x) => x !== f); renderChips(); } }, "×"))));
    };
    const addFiles = async (files) => {
      for (const file of files) {
        if (!file.type.startsWith("image/")) continue;
        try { attachments.push(await upload(file)); renderChips(); } catch (e) { toast(t("uploadFailed", { m: e.message })); }
      }
    };
    attach.addEventListener("click", () => fileInput.click());
    fileInput.addEventListener("change", () => addFiles(fileInput.files));
    panel.addEventListener("dragover", (e) => { e.preventDefault(); panel.classList.add("dropping"); });
    panel.addEventListener("dragleave", () => panel.classList.remove("dropping"));
    panel.addEventListener("drop", (e) => { e.preventDefault(); panel.classList.remove("dropping"); addFiles(e.dataTransfer.files); });
    input.addEventListener("paste", (e) => { const files = [...(e.clipboardData?.files || [])]; if (files.length) addFiles(files); });

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const content = input.value.trim();
      if (!content) return;
      input.value = "";
      const metadata = attachments.length ? { reference_file_ids: attachments.map((f) => f.id) } : {};
      if (!live.send({ type: "chat", content, metadata })) {
        try {
          const posted = await api("POST", `/api/v1/chat/conversations/${convId}/messages`, { content, metadata });
          addMessage(posted.message);
          if (posted.reply) addMessage(posted.reply);
        } catch (err) { fail(err); input.value = content; }
      }
    });
    genBtn.addEventListener("click", async () => {
      // The request is the conversation so far: "gaming, red and black" then "text: NEW SEASON".
      const prompt = input.value.trim() || userMessages.slice(-4).join(". ").slice(0, 2000);
      if (!prompt) { input.focus(); return; }
      try {
        const g = await api("POST", "/api/v1/generations", {
          prompt, algorithm: algo.value, conversation_id: convId, template_id: template || undefined,
          reference_file_ids: attachments.map((f) => f.id),
        });
        showGeneration(g);
        input.value = "";
      } catch (err) { fail(err); }
    });
    input.focus();
    return () => live.close();
  };
}

// ---------- gallery ----------

function galleryView() {
  return async (main) => {
    const status = h("select", { id: "filter-status", "aria-label": t("status") }, h("option", { value: "" }, t("allStatuses")),
      ...["completed", "processing", "queued", "failed", "cancelled"].map((s) => h("option", { value: s }, t(s))));
    const algorithm = h("select", { id: "filter-algorithm", "aria-label": t("algorithm") }, h("option", { value: "" }, t("allAlgorithms")),
      ...Object.keys(PRICES).map((a) => h("option", { value: a }, a)));
    status.value = "completed";
    const grid = h("div", { class: "grid", id: "gallery-grid" });
    const more = h("button", { type: "button", class: "ghost", hidden: true }, t("loadMore"));
    main.replaceChildren(h("section", { class: "page" }, h("div", { class: "page-head" }, h("h1", {}, t("gallery")), status, algorithm), grid, more));
    let cursor = null;
    const onDelete = async (g) => {
      if (!confirm(t("confirmDelete"))) return;
      try { await api("DELETE", `/api/v1/generations/${g.id}`); grid.querySelector(`[data-generation="${g.id}"]`)?.remove(); } catch (e) { fail(e); }
    };
    const load = async (reset) => {
      if (reset) { grid.replaceChildren(); cursor = null; }
      const q = new URLSearchParams({ limit: "24" });
      if (status.value) q.set("status", status.value);
      if (algorithm.value) q.set("algorithm", algorithm.value);
      if (cursor) q.set("cursor", cursor);
      const page = await api("GET", `/api/v1/generations?${q}`);
      page.items.forEach((g) => grid.append(generationCard(g, { onDelete })));
      if (!grid.children.length) grid.append(h("p", { class: "empty" }, t("emptyGallery")));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    };
    status.addEventListener("change", () => load(true).catch(fail));
    algorithm.addEventListener("change", () => load(true).catch(fail));
    more.addEventListener("click", () => load(false).catch(fail));
    await load(true);
  };
}

// ---------- templates ----------

function templatesView() {
  return async (main, { navigate }) => {
    const all = await api("GET", "/api/v1/templates");
    const cats = [...new Set(all.items.map((x) => x.category))].sort();
    const select = h("select", { id: "filter-category", "aria-label": t("allCategories") }, h("option", { value: "" }, t("allCategories")), ...cats.map((c) => h("option", { value: c }, c)));
    const grid = h("div", { class: "grid" });
    const render = () => {
      grid.replaceChildren();
      for (const tpl of all.items.filter((x) => !select.value || x.category === select.value)) {
        const start = h("button", { type: "button", class: "small" }, t("startChat"));
        start.addEventListener("click", async () => {
          try {
            const c = await api("POST", "/api/v1/chat/conversations", { title: tpl.name });
            navigate(`/chat/${c.id}?template=${encodeURIComponent(tpl.id)}`);
          } catch (e) { fail(e); }
        });
        grid.append(h("article", { class: "tpl-card", "data-template": tpl.id },
          h("div", { class: "frame" }, h("img", { src: tpl.preview_url, alt: tpl.name, loading: "lazy", width: 640, height: 360 })),
          h("h2", {}, tpl.name), h("p", { class: "muted small" }, `${tpl.category} · ${tpl.styles.join(", ")} · ${tpl.mood}`),
          h("p", { class: "small" }, tpl.description), start));
      }
    };
    select.addEventListener("change", render);
    main.replaceChildren(h("section", { class: "page" }, h("div", { class: "page-head" }, h("h1", {}, t("templates")), select), grid));
    render();
  };
}

// ---------- account ----------

function accountView() {
  return async (main) => {
    const credits = await api("GET", "/api/v1/users/me/credits?limit=50");
    const name = h("input", { id: "account-name", value: currentUser.display_name });
    const lang = h("select", { id: "account-lang" }, h("option", { value: "en" }, "English"), h("option", { value: "fa" }, "فارسی"));
    lang.value = currentUser.locale;
    const save = h("button", { type: "button" }, t("save"));
    save.addEventListener("click", async () => {
      try {
        await api("PATCH", "/api/v1/users/me", { display_name: name.value, locale: lang.value });
        toast(t("saved"));
        if (lang.value !== getLang()) { document.getElementById("lang").value = lang.value; document.getElementById("lang").dispatchEvent(new Event("change")); }
      } catch (e) { fail(e); }
    });
    const rows = credits.ledger.map((e) => h("tr", {}, h("td", {}, fmtTime(e.created_at)), h("td", {}, t("k_" + e.kind)),
      h("td", { class: e.amount < 0 ? "neg" : "pos", dir: "ltr" }, (e.amount > 0 ? "+" : "") + String(e.amount)), h("td", { dir: "auto" }, e.note)));
    main.replaceChildren(h("section", { class: "page" },
      h("h1", {}, t("account")),
      h("div", { class: "cards" },
        h("div", { class: "card stat" }, h("p", { class: "muted" }, t("balance")), h("p", { class: "big", id: "balance" }, t("credits", { n: credits.balance }))),
        h("div", { class: "card stat" }, h("p", { class: "muted" }, t("plan")), h("p", { class: "big" }, credits.plan === "pro" ? t("proPlan") : t("free")))),
      h("div", { class: "card form-row" }, h("label", { for: "account-name" }, t("displayName")), name, h("label", { for: "account-lang" }, t("language")), lang, save),
      h("h2", {}, t("ledger")),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, t("when")), h("th", {}, t("kind")), h("th", {}, t("amount")), h("th", {}, t("note")))), h("tbody", {}, rows))));
  };
}

// ---------- admin ----------

function adminView() {
  return async (main) => {
    if (currentUser.role !== "admin") { main.replaceChildren(h("p", { class: "error" }, "403")); return; }
    const search = h("input", { type: "search", "aria-label": t("search"), placeholder: t("search") });
    const tbody = h("tbody");
    const loadUsers = async () => {
      const q = new URLSearchParams({ limit: "50" });
      if (search.value) q.set("search", search.value);
      const users = await api("GET", `/api/v1/admin/users?${q}`);
      tbody.replaceChildren(...users.items.map((u) => {
        const amount = h("input", { type: "number", min: 1, max: 100000, value: 10, class: "narrow", "aria-label": t("amount") });
        const grant = h("button", { type: "button", class: "small" }, t("grant"));
        const bal = h("td", {}, String(u.balance));
        grant.addEventListener("click", async () => {
          try { const r = await api("POST", `/api/v1/admin/users/${u.id}/credits`, { amount: Number(amount.value) }); bal.textContent = String(r.balance); } catch (e) { fail(e); }
        });
        const plan = h("select", { "aria-label": t("setPlan") }, h("option", { value: "free" }, "free"), h("option", { value: "pro" }, "pro"));
        plan.value = u.plan;
        plan.addEventListener("change", () => api("PATCH", `/api/v1/admin/users/${u.id}`, { plan: plan.value }).then(() => toast(t("saved"))).catch(fail));
        return h("tr", {}, h("td", {}, u.email), h("td", {}, u.role), bal, h("td", {}, amount, grant), h("td", {}, plan));
      }));
    };
    search.addEventListener("input", () => { clearTimeout(search.timer); search.timer = setTimeout(() => loadUsers().catch(fail), 300); });
    const gens = await api("GET", "/api/v1/admin/generations?limit=20");
    const health = await api("GET", "/api/v1/admin/providers");
    const templates = await api("GET", "/api/v1/templates");
    main.replaceChildren(h("section", { class: "page" },
      h("h1", {}, t("admin")),
      h("h2", {}, t("users")), search,
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, t("email")), h("th", {}, t("role")), h("th", {}, t("balance")), h("th", {}, t("grant")), h("th", {}, t("setPlan")))), tbody),
      h("h2", {}, t("providers")),
      h("ul", { class: "providers" }, ...health.providers.map((p) => h("li", {}, h("strong", {}, p.provider), ` — ${p.configured ? t("configured") : t("notConfigured")}، ${t("circuit", { s: p.circuit })}`.replace("،", getLang() === "fa" ? "،" : ",")))),
      h("h2", {}, t("templates")),
      h("p", { class: "muted" }, t("templatesCount", { n: templates.items.length })),
      h("ul", { class: "providers" }, ...templates.items.map((x) => h("li", {}, h("a", { href: x.preview_url, target: "_blank", rel: "noopener" }, x.id), ` — ${x.category} · ${x.styles.join(", ")}${x.supports_rtl ? " · RTL" : ""}`))),
      h("h2", {}, t("allGenerations")),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, t("when")), h("th", {}, t("prompt")), h("th", {}, t("status")), h("th", {}, t("template")))),
        h("tbody", {}, ...gens.items.map((g) => h("tr", {}, h("td", {}, fmtTime(g.created_at)), h("td", { dir: "auto" }, g.prompt), h("td", {}, g.status), h("td", {}, g.template_id || "—")))))));
    await loadUsers();
  };
}

export const views = {
  login: authView("login"),
  register: authView("register"),
  chat: chatView(),
  gallery: galleryView(),
  templates: templatesView(),
  account: accountView(),
  admin: adminView(),
};
