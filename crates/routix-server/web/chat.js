// The chat, the main screen: conversations (searchable, archivable, exportable), the live
// message stream with generation cards, and the composer (reference images by picker,
// drag-and-drop or paste; quality with its price; the template in use).

import { api, currentUser, upload, wallet, loadWallet, loadAlgorithms } from "./api.js";
import { h, toast, fail, errorText, states, nearBottom } from "./dom.js";
import { t, credits, isDefaultTitle, templateName, algorithmName } from "./i18n.js";
import { Live } from "./live.js";
import { generationCard } from "./generation.js";

const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"];

// Kept while moving between conversations: the archived filter and the search typed.
let showArchived = false;
let lastSearch = "";

/// A conversation's title as a file name (characters file systems refuse replaced).
function fileName(title, ext) {
  const base = title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, "-").replace(/\s+/g, " ").trim().slice(0, 80);
  return `${base || "routix-chat"}.${ext}`;
}

/// Newest first, as the server lists them (ids are time-ordered).
function byNewest(list) { return list.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)); }

/// The first words of a message, as a conversation title.
function titleFrom(text) {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > 60 ? one.slice(0, 57).trimEnd() + "…" : one;
}

export async function chatView(main, { navigate, params }) {
  const convId = params[0] || null;

  // Layout first, so the loading state has its place.
  const list = h("ul", { class: "conv-list", id: "conv-list" });
  const newChat = h("button", { type: "button", id: "new-chat" }, "+ " + t("newChat"));
  const searchBox = h("input", { type: "search", id: "chat-search", placeholder: t("searchChats"), "aria-label": t("searchChats"),
    "aria-controls": "search-hits", dir: "auto", maxlength: 200, autocomplete: "off", value: lastSearch });
  const searchStatus = h("p", { class: "muted small search-status", id: "search-status", role: "status", "aria-live": "polite" });
  const hits = h("ul", { class: "conv-list search-hits", id: "search-hits", "aria-label": t("searchResults"), hidden: true });
  const archivedFilter = h("button", { type: "button", class: "ghost small", id: "archived-filter", "aria-pressed": String(showArchived) }, t("archivedFilter"));
  const listHead = h("h2", { class: "sr-only" }, t("conversations"));
  const sidebar = h("aside", { class: "sidebar", id: "sidebar", "aria-label": t("conversations") }, newChat,
    searchBox, searchStatus, hits, archivedFilter, listHead, list);
  const toggle = h("button", { type: "button", class: "ghost small only-phone", "aria-expanded": "false", "aria-controls": "sidebar", "aria-label": t("showConversations"), title: t("showConversations") }, "☰");
  toggle.addEventListener("click", () => {
    const open = sidebar.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });
  const title = h("h1", { class: "chat-title", dir: "auto", id: "chat-title", tabindex: "-1" }, convId ? "" : t("newChat"));
  const renameBtn = h("button", { type: "button", class: "ghost small", hidden: !convId, "aria-label": t("rename"), title: t("rename") }, "✎");
  const archivedPill = h("span", { class: "pill", id: "archived-pill", hidden: true }, t("archivedBadge"));
  const archiveBtn = h("button", { type: "button", class: "ghost small", id: "archive", hidden: true }, t("archive"));
  const exportMenu = h("details", { class: "menu", id: "export-menu", hidden: true },
    h("summary", { class: "button ghost small" }, t("export")),
    h("div", { class: "menu-items", role: "group", "aria-label": t("export") },
      h("button", { type: "button", class: "ghost small", "data-format": "markdown" }, t("exportMarkdown")),
      h("button", { type: "button", class: "ghost small", "data-format": "json" }, t("exportJson"))));
  const statePill = h("span", { class: "pill", id: "conn-state", role: "status" });
  const reconnectBtn = h("button", { type: "button", class: "small", hidden: true, id: "reconnect" }, t("reconnect"));
  const head = h("div", { class: "chat-head" }, toggle, title, renameBtn, archivedPill, h("span", { class: "spacer" }),
    archiveBtn, exportMenu, statePill, reconnectBtn);
  const stream = h("div", { class: "stream", id: "stream", role: "log", "aria-label": t("conversationTitle"), tabindex: "0" }, states.loading());
  const typing = h("p", { class: "typing muted small", id: "typing", "aria-live": "polite" });

  const input = h("textarea", { id: "composer", rows: 2, "aria-label": t("message"), placeholder: t("message"), dir: "auto", maxlength: 4000 });
  const algo = h("select", { id: "algorithm", "aria-label": t("algorithm") });
  const variants = h("select", { id: "variants", "aria-label": t("variants"), title: t("variantsHint") },
    ...[1, 2, 3, 4].map((n) => h("option", { value: n }, t("variantsN", { n }))));
  const balance = h("span", { class: "balance muted small", id: "chat-balance", "aria-live": "polite" });
  const fileInput = h("input", { type: "file", accept: IMAGE_TYPES.join(","), multiple: true, hidden: true, id: "file-input", tabindex: "-1" });
  const attach = h("button", { type: "button", class: "ghost", id: "attach", "aria-label": t("attach"), title: t("attach") }, "+", h("span", { class: "wide-only" }, t("attach")));
  const chips = h("div", { class: "chips", id: "attachments" });
  const sendBtn = h("button", { type: "submit", id: "send" }, t("send"));
  const genBtn = h("button", { type: "button", id: "generate", class: "accent" }, t("generate"));
  const form = h("form", { class: "composer", "aria-label": t("message") }, chips, input,
    h("div", { class: "row" }, attach, fileInput, algo, variants, balance, h("span", { class: "spacer" }), sendBtn, genBtn));
  const panel = h("section", { class: "chat-panel", "aria-labelledby": "chat-title" }, head, stream, typing, form);
  main.replaceChildren(h("div", { class: "chat" }, sidebar, panel));

  // The algorithms on offer with their prices (from the server: admins change them), and
  // the balance; both refreshed whenever credits move.
  let offered = [];
  const renderWallet = () => {
    const chosen = algo.value || (offered[0] && offered[0].id);
    algo.replaceChildren(...offered.map((a) => h("option", { value: a.id, disabled: wallet && wallet.balance < a.cost ? true : null },
      a.cost === 1 ? t("costs1", { a: algorithmName(a) }) : t("costs", { a: algorithmName(a), n: a.cost }))));
    if (offered.some((a) => a.id === chosen)) algo.value = chosen;
    // The price of what Generate will do: compositor variants come at one price, each
    // provider image at its own.
    const n = Number(variants.value || 1);
    const current = offered.find((a) => a.id === algo.value);
    const each = current ? current.cost : 0;
    const total = current && current.priced_per_image ? each * n : each;
    const left = wallet ? credits(wallet.balance, "creditsLeft") : "";
    balance.textContent = n > 1 ? `${t("totalCost", { n: total })} · ${left}` : left;
    balance.dataset.cost = String(total);
  };
  const refreshOffer = () => loadAlgorithms().then((list) => { offered = list; renderWallet(); }).catch(() => {});
  algo.addEventListener("change", renderWallet);
  variants.addEventListener("change", renderWallet);
  window.addEventListener("routix:wallet", renderWallet);
  window.addEventListener("routix:wallet", refreshOffer);
  renderWallet();
  refreshOffer();
  if (!wallet) loadWallet().catch(() => {});

  // Conversations: the default list, and the archived ones when that filter is on.
  let conversations;
  let archived = [];
  try {
    conversations = (await api("GET", "/api/v1/chat/conversations?limit=50")).items;
    if (showArchived) archived = (await api("GET", "/api/v1/chat/conversations?archived=true&limit=50")).items;
  } catch (e) {
    stream.replaceChildren(states.error(e, () => navigate(location.pathname, true)));
    form.hidden = true;
    return () => { window.removeEventListener("routix:wallet", renderWallet); window.removeEventListener("routix:wallet", refreshOffer); };
  }
  if (!convId && conversations.length) {
    navigate(`/chat/${conversations[0].id}`, true);
    return () => { window.removeEventListener("routix:wallet", renderWallet); window.removeEventListener("routix:wallet", refreshOffer); };
  }
  let current = conversations.find((c) => c.id === convId) || archived.find((c) => c.id === convId);
  if (convId && !current) {
    // Archived (and the filter off), or older than the first page.
    try { current = await api("GET", `/api/v1/chat/conversations/${convId}`); } catch (_) { /* not found below */ }
  }
  if (convId && !current) {
    stream.replaceChildren(states.error({ message: t("err_not_found") }));
    form.hidden = true;
  }
  const renderList = () => {
    list.replaceChildren();
    const shown = showArchived ? archived : conversations;
    listHead.textContent = showArchived ? t("archivedConversations") : t("conversations");
    if (!shown.length) list.append(h("li", { class: "muted small" }, showArchived ? t("noArchived") : t("noConversations")));
    for (const c of shown) {
      const del = h("button", { type: "button", class: "icon", "aria-label": t("deleteConversation", { name: c.title }), title: t("delete") }, "×");
      del.addEventListener("click", async () => {
        if (!confirm(t("confirmDeleteConversation"))) return;
        try {
          await api("DELETE", `/api/v1/chat/conversations/${c.id}`);
          conversations = conversations.filter((x) => x.id !== c.id);
          archived = archived.filter((x) => x.id !== c.id);
          if (c.id === convId) navigate("/chat", true); else renderList();
        } catch (e) { fail(e); }
      });
      list.append(h("li", { class: c.id === convId ? "active" : "" },
        h("a", { href: `/chat/${c.id}`, dir: "auto", "aria-current": c.id === convId ? "page" : null }, c.title), del));
    }
  };
  renderList();
  archivedFilter.addEventListener("click", async () => {
    showArchived = !showArchived;
    archivedFilter.setAttribute("aria-pressed", String(showArchived));
    if (showArchived) {
      try { archived = (await api("GET", "/api/v1/chat/conversations?archived=true&limit=50")).items; } catch (e) { fail(e); }
    }
    renderList();
  });

  // Search over every message and title; a hit opens its conversation at the message.
  let searchTimer;
  let searchSeq = 0;
  const showHits = (items) => {
    list.hidden = true;
    archivedFilter.hidden = true;
    hits.hidden = false;
    searchStatus.textContent = items.length ? t("searchCount", { n: items.length }) : t("noSearchHits");
    hits.replaceChildren(...items.map((hit) => {
      const who = !hit.message_id ? t("inTitle") : hit.role === "user" ? t("you") : t("assistant");
      const href = `/chat/${hit.conversation_id}${hit.message_id ? `?m=${hit.message_id}` : ""}`;
      return h("li", { class: hit.conversation_id === convId ? "active" : "" },
        h("a", { href, class: "hit", "data-conversation": hit.conversation_id },
          h("span", { class: "hit-title", dir: "auto" }, hit.title),
          hit.archived ? h("span", { class: "muted small" }, ` · ${t("archivedBadge")}`) : null,
          h("span", { class: "hit-snippet muted small" }, `${who}: `, h("bdi", {}, hit.snippet))));
    }));
  };
  const closeSearch = () => {
    hits.hidden = true;
    hits.replaceChildren();
    searchStatus.textContent = "";
    list.hidden = false;
    archivedFilter.hidden = false;
  };
  const runSearch = async () => {
    const q = searchBox.value.trim();
    lastSearch = q;
    const seq = ++searchSeq;
    if (!q) { closeSearch(); return; }
    try {
      const found = await api("GET", `/api/v1/chat/search?q=${encodeURIComponent(q)}&limit=30`);
      if (seq === searchSeq) showHits(found.items);
    } catch (e) {
      if (seq !== searchSeq) return;
      if (e.status === 422) { showHits([]); searchStatus.textContent = t("searchNeedsWord"); } else fail(e);
    }
  };
  searchBox.addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(runSearch, 250); });
  searchBox.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && searchBox.value) { e.preventDefault(); searchBox.value = ""; runSearch(); }
  });
  if (lastSearch) runSearch();

  const createConversation = async (name) => {
    const c = await api("POST", "/api/v1/chat/conversations", { title: name || t("newChat") });
    conversations.unshift(c);
    return c;
  };
  newChat.addEventListener("click", async () => {
    try { navigate(`/chat/${(await createConversation()).id}`); } catch (e) { fail(e); }
  });

  // The composer's state: attached references and the template in use.
  let attachments = [];
  let template = null;
  const renderChips = () => {
    const items = attachments.map((f) => h("span", { class: "chip", "data-file": f.id }, f.original_name || "image",
      h("button", { type: "button", class: "x", "aria-label": t("remove", { name: f.original_name || "image" }),
        onclick: () => { attachments = attachments.filter((x) => x !== f); renderChips(); } }, "×")));
    if (template) {
      items.unshift(h("span", { class: "chip selected", id: "template-chip", "data-template": template.id }, t("templateChosen", { name: template.name }),
        h("button", { type: "button", class: "x", "aria-label": t("clearTemplate"), onclick: () => chooseTemplate(null) }, "×")));
    }
    chips.replaceChildren(...items);
  };
  const chooseTemplate = (tpl) => {
    template = tpl;
    stream.querySelectorAll(".suggestions .chip").forEach((x) => {
      const on = Boolean(tpl) && x.dataset.template === tpl.id;
      x.classList.toggle("selected", on);
      x.setAttribute("aria-pressed", String(on));
    });
    renderChips();
  };
  const fromUrl = new URLSearchParams(location.search).get("template");
  if (fromUrl) {
    api("GET", `/api/v1/templates/${encodeURIComponent(fromUrl)}`)
      .then((tpl) => chooseTemplate({ id: tpl.id, name: templateName(tpl) }))
      .catch(() => chooseTemplate({ id: fromUrl, name: fromUrl }));
  }

  const addFiles = async (files) => {
    for (const file of files) {
      if (!IMAGE_TYPES.includes(file.type)) { toast(t("onlyImages")); continue; }
      toast(t("uploading", { name: file.name || "image" }));
      try { attachments.push(await upload(file)); renderChips(); } catch (e) { toast(t("uploadFailed", { m: errorText(e) })); }
    }
  };
  attach.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => { addFiles([...fileInput.files]); fileInput.value = ""; });
  panel.addEventListener("dragover", (e) => { e.preventDefault(); panel.classList.add("dropping"); });
  panel.addEventListener("dragleave", (e) => { if (!panel.contains(e.relatedTarget)) panel.classList.remove("dropping"); });
  panel.addEventListener("drop", (e) => { e.preventDefault(); panel.classList.remove("dropping"); addFiles([...e.dataTransfer.files]); });
  input.addEventListener("paste", (e) => {
    const files = [...(e.clipboardData?.files || [])];
    if (files.length) { e.preventDefault(); addFiles(files); }
  });
  panel.append(h("p", { class: "drop-hint", "aria-hidden": "true" }, t("dropHere")));

  // The stream: messages and generation cards in time order.
  const userMessages = [];
  const seen = new Set();
  const gens = new Map();
  const place = (el) => {
    const stick = nearBottom(stream);
    stream.querySelector(".empty")?.remove();
    stream.append(el);
    if (stick) stream.scrollTop = stream.scrollHeight;
  };
  const bubble = (m) => {
    const mine = m.role === "user";
    const el = h("div", { class: `msg ${mine ? "mine" : "theirs"}`, "data-message": m.id },
      h("p", { class: "who" }, mine ? t("you") : t("assistant")), h("p", { class: "text", dir: "auto" }, m.content));
    const sugg = m.metadata && m.metadata.suggestions;
    if (sugg && sugg.length) {
      const row = h("div", { class: "suggestions", role: "group", "aria-label": t("suggestions") });
      for (const s of sugg) {
        const name = s.name || s.template_id;
        const on = Boolean(template && template.id === s.template_id);
        row.append(h("button", {
          type: "button", class: "chip" + (on ? " selected" : ""), "data-template": s.template_id, "aria-pressed": String(on),
          title: (s.reasons || []).join(" · "), onclick: () => chooseTemplate(template && template.id === s.template_id ? null : { id: s.template_id, name }),
        }, name));
      }
      el.append(row);
    }
    return el;
  };
  const addMessage = (m) => {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    if (m.role === "user") userMessages.push(m.content);
    place(bubble(m));
  };
  const showGeneration = (g) => {
    const old = gens.get(g.id);
    if (old && old.g.updated_at > g.updated_at) return;
    const card = generationCard(g, { onCreated: showGeneration });
    if (old) {
      const stick = nearBottom(stream);
      old.card.replaceWith(card);
      if (stick) stream.scrollTop = stream.scrollHeight;
      if (old.g.status !== g.status && ["completed", "failed", "cancelled"].includes(g.status)) loadWallet().catch(() => {});
    } else {
      place(card);
    }
    gens.set(g.id, { g, card });
  };

  if (!convId) {
    // No conversation yet: a welcome, and the first message starts one.
    stream.replaceChildren(h("div", { class: "welcome" }, h("h2", {}, t("welcome")), h("p", { class: "muted" }, t("emptyChat"))));
  }
  // Archive and export, for the conversation open.
  const renderArchived = () => {
    archivedPill.hidden = !current.archived;
    archiveBtn.textContent = current.archived ? t("unarchive") : t("archive");
  };
  if (current) {
    archiveBtn.hidden = false;
    exportMenu.hidden = false;
    renderArchived();
    archiveBtn.addEventListener("click", async () => {
      try {
        Object.assign(current, await api("PATCH", `/api/v1/chat/conversations/${convId}`, { archived: !current.archived }));
        conversations = conversations.filter((c) => c.id !== convId);
        archived = archived.filter((c) => c.id !== convId);
        const into = current.archived ? archived : conversations;
        into.push(current);
        byNewest(into);
        renderArchived();
        renderList();
        toast(current.archived ? t("archivedDone") : t("unarchivedDone"));
      } catch (e) { fail(e); }
    });
    exportMenu.addEventListener("click", async (e) => {
      const format = e.target.closest("button[data-format]")?.dataset.format;
      if (!format) return;
      exportMenu.open = false;
      try {
        const data = await api("GET", `/api/v1/chat/conversations/${convId}/export?format=${format}`);
        // JSON arrives parsed; the file keeps it as the server wrote it, indented.
        const blob = data instanceof Blob ? data : new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
        const url = URL.createObjectURL(blob);
        const a = h("a", { href: url, download: fileName(current.title, format === "json" ? "json" : "md"), hidden: true });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      } catch (err) { fail(err); }
    });
  }

  let history = { items: [] };
  if (current) {
    title.textContent = current.title;
    try {
      history = await api("GET", `/api/v1/chat/conversations/${convId}/messages?limit=100`);
      let made = [];
      try { made = (await api("GET", `/api/v1/generations?conversation_id=${convId}&limit=50`)).items; } catch (_) { /* the stream still works */ }
      stream.replaceChildren();
      const timeline = [
        ...history.items.map((m) => ({ at: m.created_at, add: () => addMessage(m) })),
        ...made.map((g) => ({ at: g.created_at, add: () => showGeneration(g) })),
      ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      timeline.forEach((x) => x.add());
      if (!timeline.length) stream.append(h("div", { class: "empty welcome" }, h("h2", {}, t("welcome")), h("p", { class: "muted" }, t("emptyChat"))));
      stream.scrollTop = stream.scrollHeight;
      // Opened from a search hit: show that message.
      const wanted = new URLSearchParams(location.search).get("m");
      const found = wanted && [...stream.querySelectorAll("[data-message]")].find((el) => el.dataset.message === wanted);
      if (found) { found.classList.add("found"); found.scrollIntoView({ block: "center" }); }
    } catch (e) {
      stream.replaceChildren(states.error(e, () => navigate(location.pathname, true)));
    }
  }

  // Live updates.
  const typers = new Map();
  const showTyping = () => { typing.textContent = typers.size ? t("typing") : ""; };
  const live = current ? new Live(convId, {
    lastId: history.items.length ? history.items[history.items.length - 1].id : null,
    onState: (state, n) => {
      statePill.textContent = state === "reconnecting" ? t("reconnecting", { n }) : t(state);
      statePill.dataset.state = state;
      reconnectBtn.hidden = state !== "offline";
    },
    onEvent: (e) => {
      if (e.type === "message" && e.message) addMessage(e.message);
      else if (e.type === "generation" && e.generation) showGeneration(e.generation);
      else if (e.type === "typing") {
        if (currentUser && e.user_id === currentUser.id) return;
        clearTimeout(typers.get(e.user_id));
        if (e.is_typing) typers.set(e.user_id, setTimeout(() => { typers.delete(e.user_id); showTyping(); }, 5000));
        else typers.delete(e.user_id);
        showTyping();
      } else if (e.type === "user_disconnected") { typers.delete(e.user_id); showTyping(); }
      else if (e.type === "error") toast(e.message || t("error", { m: "" }));
    },
  }) : null;
  if (live) { reconnectBtn.addEventListener("click", () => live.reconnect()); live.open(); }

  let typingSent = 0;
  let typingStop;
  input.addEventListener("input", () => {
    if (!live) return;
    if (Date.now() - typingSent > 2000) { live.send({ type: "typing", is_typing: true }); typingSent = Date.now(); }
    clearTimeout(typingStop);
    typingStop = setTimeout(() => { live.send({ type: "typing", is_typing: false }); typingSent = 0; }, 2500);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.shiftKey || e.isComposing) return;
    e.preventDefault();
    if (e.ctrlKey || e.metaKey) genBtn.click(); else form.requestSubmit();
  });

  // Names an untitled conversation after its first message.
  const nameAfter = async (content) => {
    if (!current || !isDefaultTitle(current.title)) return;
    try {
      const renamed = await api("PATCH", `/api/v1/chat/conversations/${convId}`, { title: titleFrom(content) });
      current.title = renamed.title;
      title.textContent = renamed.title;
      renderList();
    } catch (_) { /* the old title stays */ }
  };

  const sendMessage = async (content) => {
    const metadata = attachments.length ? { reference_file_ids: attachments.map((f) => f.id) } : {};
    if (!current) {
      const c = await createConversation(titleFrom(content));
      await api("POST", `/api/v1/chat/conversations/${c.id}/messages`, { content, metadata });
      navigate(`/chat/${c.id}`);
      return;
    }
    if (!live.send({ type: "chat", content, metadata })) {
      const posted = await api("POST", `/api/v1/chat/conversations/${convId}/messages`, { content, metadata });
      addMessage(posted.message);
      if (posted.reply) addMessage(posted.reply);
    }
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const content = input.value.trim();
    if (!content) { input.focus(); return; }
    input.value = "";
    const first = userMessages.length === 0;
    try {
      await sendMessage(content);
      if (first) nameAfter(content);
    } catch (err) { fail(err); input.value = content; }
  });

  genBtn.addEventListener("click", async () => {
    // The request is what is typed, else the conversation so far ("gaming, red and black",
    // then "text: NEW SEASON").
    const typed = input.value.trim();
    const prompt = typed || userMessages.slice(-4).join(". ").slice(0, 2000);
    if (!prompt) { input.focus(); toast(t("emptyChat")); return; }
    genBtn.disabled = true;
    genBtn.textContent = t("generating");
    try {
      let conversation = convId;
      if (!current) conversation = (await createConversation(titleFrom(prompt))).id;
      const g = await api("POST", "/api/v1/generations", {
        prompt, algorithm: algo.value, conversation_id: conversation, template_id: template ? template.id : undefined,
        reference_file_ids: attachments.map((f) => f.id), variants: Number(variants.value),
      });
      input.value = "";
      attachments = [];
      renderChips();
      loadWallet().catch(() => {});
      if (!current) { navigate(`/chat/${conversation}`); return; }
      stream.scrollTop = stream.scrollHeight;
      showGeneration(g);
      stream.scrollTop = stream.scrollHeight;
    } catch (err) {
      fail(err);
    } finally {
      genBtn.disabled = false;
      genBtn.textContent = t("generate");
    }
  });

  // Rename in place.
  renameBtn.addEventListener("click", () => {
    if (!current) return;
    const box = h("input", { value: current.title, "aria-label": t("renameTitle"), class: "rename", maxlength: 200, dir: "auto" });
    const done = async (save) => {
      const next = box.value.trim();
      if (save && next && next !== current.title) {
        try {
          current.title = (await api("PATCH", `/api/v1/chat/conversations/${convId}`, { title: next })).title;
          renderList();
        } catch (e) { fail(e); }
      }
      title.textContent = current.title;
      box.replaceWith(title);
      renameBtn.hidden = false;
      renameBtn.focus();
    };
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); done(true); }
      if (e.key === "Escape") { e.preventDefault(); done(false); }
    });
    box.addEventListener("blur", () => { if (box.isConnected) done(true); });
    title.replaceWith(box);
    renameBtn.hidden = true;
    box.focus();
    box.select();
  });

  if (current || !convId) input.focus();
  return () => {
    window.removeEventListener("routix:wallet", renderWallet);
    window.removeEventListener("routix:wallet", refreshOffer);
    if (live) live.close();
  };
}
