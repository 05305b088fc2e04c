// The chat WebSocket with reconnect back-off: 1 s doubling to 30 s, five tries, then the UI
// offers a reconnect button. Missed messages are replayed with ?since=<last message id>.

import { wsTicket } from "./api.js";

export class Live {
  constructor(conversationId, { onEvent, onState, lastId }) {
    this.id = conversationId; this.onEvent = onEvent; this.onState = onState;
    this.lastId = lastId || null; this.tries = 0; this.closed = false; this.socket = null;
  }

  async open() {
    if (this.closed) return;
    this.onState(this.tries === 0 ? "connecting" : "reconnecting", this.tries);
    let ticket;
    try { ticket = await wsTicket(); } catch (_) { return this.retry(); }
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const since = this.lastId ? `&since=${encodeURIComponent(this.lastId)}` : "";
    const socket = new WebSocket(`${proto}://${location.host}/api/v1/ws/chat/${this.id}?ticket=${encodeURIComponent(ticket)}${since}`);
    this.socket = socket;
    socket.onmessage = (e) => {
      let event;
      try { event = JSON.parse(e.data); } catch (_) { return; }
      if (event.type === "connection") { this.tries = 0; this.onState("connected", 0); }
      if (event.type === "message" && event.message) this.lastId = event.message.id;
      if (event.type === "broadcast" || event.type === "broadcast_ended") window.dispatchEvent(new CustomEvent("routix:broadcast", { detail: event }));
      this.onEvent(event);
    };
    socket.onclose = (e) => {
      if (this.socket !== socket || this.closed) return;
      this.socket = null;
      if (e.code === 1008 && e.reason === "conversation not found") { this.onState("offline", this.tries); return; }
      this.retry();
    };
  }

  retry() {
    if (this.closed) return;
    if (this.tries >= 5) { this.onState("offline", this.tries); return; }
    const delay = Math.min(30_000, 1000 * 2 ** this.tries);
    this.tries += 1;
    this.onState("reconnecting", this.tries);
    this.timer = setTimeout(() => this.open(), delay);
  }

  reconnect() { this.tries = 0; clearTimeout(this.timer); this.open(); }

  send(event) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) { this.socket.send(JSON.stringify(event)); return true; }
    return false;
  }

  close() { this.closed = true; clearTimeout(this.timer); if (this.socket) this.socket.close(1000); }
}
