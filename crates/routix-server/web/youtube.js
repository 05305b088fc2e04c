// Publishing to YouTube: the account page's channel card (connect, reconnect, disconnect) and
// a finished result's "Publish to YouTube" picker of the channel's recent uploads.

import { api, ApiError } from "./api.js";
import { h, fail, toast } from "./dom.js";
import { t, fmtTime } from "./i18n.js";

let status = null;

/// The connection: an object, "none" (not connected) or "off" (not configured here).
export function youtubeStatus(fresh = false) {
  if (!status || fresh) {
    status = api("GET", "/api/v1/youtube/connection").catch((err) => {
      if (err instanceof ApiError && err.status === 404) return "none";
      if (err instanceof ApiError && err.status === 503) return "off";
      status = null;
      throw err;
    });
  }
  return status;
}

/// Back from Google's consent page: say how it went and drop the query from the address.
function connectReturn() {
  const params = new URLSearchParams(location.search);
  const outcome = params.get("youtube");
  if (!outcome) return;
  history.replaceState(null, "", location.pathname);
  if (outcome === "connected") toast(t("ytConnected"));
  else toast(t("ytConnectFailed_" + (params.get("reason") || "failed")));
}

async function startConnect(button) {
  button.disabled = true;
  try {
    const { url } = await api("GET", "/api/v1/youtube/connect");
    toast(t("ytRedirecting"));
    location.assign(url);
  } catch (err) { fail(err); button.disabled = false; }
}

/// The account page's card; null when publishing to YouTube is off on this site.
export async function youtubeCard() {
  connectReturn();
  let c;
  try { c = await youtubeStatus(true); } catch (_) { return null; }
  if (c === "off") return null;
  const card = h("div", { class: "card youtube", id: "youtube", "aria-labelledby": "youtube-title" },
    h("h2", { id: "youtube-title" }, t("ytTitle")));
  const connect = h("button", { type: "button", "data-yt-connect": "" }, t(c === "none" ? "ytConnect" : "ytReconnect"));
  connect.addEventListener("click", () => startConnect(connect));
  if (c === "none") {
    card.append(h("p", { class: "muted small" }, t("ytExplain")), h("div", { class: "actions" }, connect));
    return card;
  }
  const disconnect = h("button", { type: "button", class: "ghost danger", "data-yt-disconnect": "" }, t("ytDisconnect"));
  disconnect.addEventListener("click", async () => {
    if (!confirm(t("ytConfirmDisconnect"))) return;
    disconnect.disabled = true;
    try {
      await api("DELETE", "/api/v1/youtube/connection");
      toast(t("ytDisconnected"));
      card.replaceWith((await youtubeCard()) || h("span"));
    } catch (err) { fail(err); disconnect.disabled = false; }
  });
  card.append(
    h("p", {}, t("ytConnectedAs"), " ", h("bdi", { dir: "auto", "data-yt-channel": "" }, c.channel_title)),
    c.needs_reconnect ? h("p", { class: "error small", role: "alert" }, t("ytNeedsReconnect")) : null,
    h("p", { class: "muted small" }, t("ytSince", { d: fmtTime(c.connected_at) })),
    h("div", { class: "actions" }, c.needs_reconnect ? connect : null, disconnect));
  return card;
}

/// "Publish to YouTube" on a finished result: lists recent uploads, sets the chosen one's
/// thumbnail to the result (the variant shown on the card).
export function publishButton(card, g) {
  const button = h("button", { type: "button", class: "small ghost", "data-publish": "" }, t("ytPublish"));
  youtubeStatus().then((c) => { if (c === "off") button.remove(); }).catch(() => {});
  button.addEventListener("click", async () => {
    card.querySelector(".publish-box")?.remove();
    button.disabled = true;
    try {
      const c = await youtubeStatus();
      if (c === "none") { toast(t("err_youtube_not_connected")); return; }
      const list = await api("GET", "/api/v1/youtube/videos?limit=15");
      const box = h("div", { class: "publish-box", role: "group", "aria-label": t("ytPickVideo") },
        h("p", { class: "small" }, t("ytPickVideo"), " ", h("bdi", { dir: "auto", class: "muted" }, list.channel_title)));
      if (!list.items.length) box.append(h("p", { class: "muted small" }, t("ytNoVideos")));
      const items = h("ul", { class: "video-list" });
      for (const v of list.items) {
        const pick = h("button", { type: "button", class: "small ghost video", "data-video": v.id },
          h("bdi", { dir: "auto" }, v.title || v.id),
          v.published_at ? h("span", { class: "muted small" }, " · ", fmtTime(v.published_at)) : null);
        pick.addEventListener("click", async () => {
          pick.disabled = true;
          try {
            const variant = Number(card.dataset.variant || 0);
            await api("POST", `/api/v1/generations/${g.id}/publish`, { video_id: v.id, variant });
            toast(t("ytPublished", { title: v.title || v.id }));
            box.remove();
          } catch (err) { fail(err); pick.disabled = false; }
        });
        items.append(h("li", {}, pick));
      }
      const close = h("button", { type: "button", class: "small ghost" }, t("ytClose"));
      close.addEventListener("click", () => box.remove());
      box.append(items, h("div", { class: "actions" }, close));
      card.append(box);
    } catch (err) { fail(err); } finally { button.disabled = false; }
  });
  return button;
}
