//! The chat WebSocket (`/api/v1/ws/chat/{conversation_id}`), protocol per BRIEF §7:
//! server → `connection`, `message`, `typing`, `user_disconnected`, `generation`, `error`,
//! and the admins' `broadcast` / `broadcast_ended` (every connection follows `BROADCAST_TOPIC`);
//! client → `chat`, `typing` (and `ping`). Authorised before anything about the conversation
//! is sent; failures close with 1008. Each connection reads its topic through a bounded
//! broadcast receiver, so a slow client falls behind alone and is dropped (1013), never
//! slowing the others.

use std::time::Duration;

use axum::{
    extract::{
        ws::{
            rejection::WebSocketUpgradeRejection, CloseFrame, Message as Frame, Utf8Bytes,
            WebSocket, WebSocketUpgrade,
        },
        Query, State,
    },
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use routix_store::{chat::Conversation, ConversationId, Cursor, MessageId};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::{sync::broadcast::error::RecvError, time::Instant};
use utoipa::ToSchema;

use crate::{
    auth::{AuthUser, TokenType},
    error::{ApiError, ApiResult},
    events::{conversation_topic, Payload},
    extract::{Json, Path},
    routes::broadcasts::BROADCAST_TOPIC,
    routes::chat::{message_event, post_and_reply, validate_message},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ws/chat/{conversation_id}", get(upgrade))
        .route("/ws/ticket", post(ticket))
}

/// Largest client frame we read; bigger ones close the socket with 1009.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Client messages allowed per `RATE_WINDOW` before they are refused with an error.
pub const RATE_MAX: u32 = 20;
pub const RATE_WINDOW: Duration = Duration::from_secs(10);
/// A peer silent for this many ping intervals (no frame, no pong) is considered dead.
const DEAD_AFTER_PINGS: u32 = 3;
/// A client that can't take a frame within this long is too slow and is dropped.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
const TICKET_SECONDS: i64 = 30;
const MAX_REPLAY: usize = 200;

mod close {
    pub const GOING_AWAY: u16 = 1001;
    pub const POLICY: u16 = 1008;
    pub const TOO_BIG: u16 = 1009;
    pub const TRY_LATER: u16 = 1013;
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    /// One-time credential for `?ticket=` (keeps the access token out of URLs and logs).
    pub ticket: String,
    pub expires_in: i64,
}

#[utoipa::path(post, path = "/api/v1/ws/ticket", tag = "websocket",
    responses((status = 200, body = TicketView)), security(("bearer" = [])))]
pub async fn ticket(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<TicketView>> {
    let ticket = state.keys.issue(
        user.id(),
        user.user.role,
        TokenType::WsTicket,
        TICKET_SECONDS,
    )?;
    Ok(Json(TicketView {
        ticket,
        expires_in: TICKET_SECONDS,
    }))
}

#[derive(Debug, Deserialize)]
pub struct ConnectQuery {
    token: Option<String>,
    ticket: Option<String>,
    /// Last message id the client has: everything after it is replayed.
    since: Option<String>,
}

async fn upgrade(
    State(state): State<AppState>,
    Path(conversation_id): Path<ConversationId>,
    Query(q): Query<ConnectQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    // A plain GET, or a handshake missing a header, gets the API's JSON error (RFC 6455 §4.2.1:
    // 400), not axum's text.
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => {
            return ApiError::bad_request(format!(
                "this route only answers a WebSocket handshake: {}",
                rejection.body_text()
            ))
            .into_response()
        }
    };
    // Frames up to 4x our limit are read so we can answer 1009 ourselves rather than have
    // the transport drop the connection without a reason.
    // Small per-connection buffers: chat frames are tiny, and ten thousand idle sockets must
    // not cost ten thousand 128 KiB buffers.
    ws.max_message_size(MAX_FRAME_BYTES * 4)
        .max_frame_size(MAX_FRAME_BYTES * 4)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .on_upgrade(move |socket| async move {
            Connection::open(state, socket, conversation_id, q).await;
        })
}

/// What authorised a connection, and until when.
struct Session {
    user: routix_store::users::User,
    expires_at: i64,
}

async fn authorise(state: &AppState, q: &ConnectQuery) -> Option<Session> {
    if let Some(ticket) = q.ticket.as_deref() {
        let claims = state.keys.verify(ticket, TokenType::WsTicket)?;
        // One use only: the first redemption of this ticket id wins.
        let uses = state
            .limiter
            .hit(
                &format!("wsticket:{}", claims.jti),
                Duration::from_secs(TICKET_SECONDS as u64 + 5),
            )
            .await;
        if uses.count != 1 {
            return None;
        }
        let user = state.authenticate(ticket, TokenType::WsTicket).await.ok()?;
        // A ticket opens a session as long as an access token would last.
        let expires_at = claims.iat + state.settings.access_token_minutes * 60;
        return Some(Session { user, expires_at });
    }
    let token = q.token.as_deref()?;
    let claims = state.keys.verify(token, TokenType::Access)?;
    let user = state.authenticate(token, TokenType::Access).await.ok()?;
    Some(Session {
        user,
        expires_at: claims.exp,
    })
}

struct Connection {
    state: AppState,
    socket: WebSocket,
    conversation: Conversation,
    session: Session,
    /// Tags this connection's own events so they are not echoed back to it.
    id: String,
    rate_started: Instant,
    rate_count: u32,
}

impl Connection {
    async fn open(state: AppState, mut socket: WebSocket, id: ConversationId, q: ConnectQuery) {
        let Some(session) = authorise(&state, &q).await else {
            reject(&mut socket, close::POLICY, "authentication required").await;
            return;
        };
        // Someone else's conversation looks exactly like a missing one.
        let Ok(conversation) = state.db.conversation(session.user.id, id).await else {
            reject(&mut socket, close::POLICY, "conversation not found").await;
            return;
        };
        metrics::gauge!("ws_connections").increment(1.0);
        let mut conn = Connection {
            id: uuid::Uuid::new_v4().simple().to_string(),
            state,
            socket,
            conversation,
            session,
            rate_started: Instant::now(),
            rate_count: 0,
        };
        conn.run(q.since.as_deref()).await;
        metrics::gauge!("ws_connections").decrement(1.0);
    }

    async fn run(&mut self, since: Option<&str>) {
        let topic = conversation_topic(self.conversation.id);
        // Subscribe before replaying so nothing falls between the two.
        let mut events = self.state.events.subscribe(&topic);
        let mut broadcasts = self.state.events.subscribe(BROADCAST_TOPIC);
        let hello = json!({"type": "connection", "status": "connected", "conversation_id": self.conversation.id});
        if !self.send_json(&hello).await {
            return;
        }
        if let Some(since) = since {
            if !self.replay(since).await {
                return;
            }
        }
        let mut shutdown = self.state.shutdown.clone();
        let ping_every = Duration::from_secs(self.state.settings.ws_ping_seconds);
        let dead_after = ping_every * DEAD_AFTER_PINGS;
        let mut ping = tokio::time::interval(ping_every);
        ping.reset();
        let mut last_heard = Instant::now();
        let expiry = tokio::time::sleep(seconds_until(self.session.expires_at));
        tokio::pin!(expiry);
        let reason = loop {
            tokio::select! {
                frame = self.socket.recv() => {
                    let Some(Ok(frame)) = frame else { break None };
                    last_heard = Instant::now();
                    match frame {
                        Frame::Text(text) => {
                            if text.len() > MAX_FRAME_BYTES {
                                break Some((close::TOO_BIG, "message too big"));
                            }
                            if !self.handle(text.as_str()).await {
                                break None;
                            }
                        }
                        Frame::Binary(bytes) => {
                            if bytes.len() > MAX_FRAME_BYTES {
                                break Some((close::TOO_BIG, "message too big"));
                            }
                            if !self.error("unsupported", "send JSON text frames").await {
                                break None;
                            }
                        }
                        Frame::Close(_) => break None,
                        Frame::Ping(_) | Frame::Pong(_) => {}
                    }
                }
                event = events.recv() => match event {
                    Ok(payload) => {
                        if !self.forward(payload).await {
                            break None;
                        }
                    }
                    Err(RecvError::Lagged(_)) => break Some((close::TRY_LATER, "too slow: events were dropped; reconnect with ?since=")),
                    Err(RecvError::Closed) => break Some((close::GOING_AWAY, "server shutting down")),
                },
                // A missed broadcast is still shown on the next page load: lagging is no reason
                // to drop the connection.
                event = broadcasts.recv() => match event {
                    Ok(payload) => {
                        if !self.forward(payload).await {
                            break None;
                        }
                    }
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break Some((close::GOING_AWAY, "server shutting down")),
                },
                _ = ping.tick() => {
                    if last_heard.elapsed() > dead_after {
                        metrics::counter!("ws_dead_peers_total").increment(1);
                        break None;
                    }
                    if !self.send_frame(Frame::Ping(Default::default())).await {
                        break None;
                    }
                }
                () = &mut expiry => break Some((close::POLICY, "token expired")),
                _ = shutdown.changed() => break Some((close::GOING_AWAY, "server shutting down")),
            }
        };
        if let Some((code, why)) = reason {
            reject(&mut self.socket, code, why).await;
        }
        let gone = json!({"type": "user_disconnected", "user_id": self.session.user.id});
        self.state
            .events
            .publish_from(&topic, &gone, Some(&self.id))
            .await;
    }

    /// Sends the messages after `since` (oldest first). False if the socket died.
    async fn replay(&mut self, since: &str) -> bool {
        let Ok(cursor) = Cursor::parse(since) else {
            return self.error("bad_since", "since must be a message id").await;
        };
        let mut cursor = Some(cursor);
        let mut sent = 0;
        while sent < MAX_REPLAY {
            let Ok(page) = self
                .state
                .db
                .list_messages(self.conversation.id, cursor, 100)
                .await
            else {
                return self
                    .error("replay_failed", "could not load missed messages")
                    .await;
            };
            for m in &page.items {
                if !self.send_json(&message_event(m)).await {
                    return false;
                }
                sent += 1;
            }
            match page.next_cursor.as_deref().map(|c| c.parse::<MessageId>()) {
                Some(Ok(next)) => cursor = Some(Cursor(next.0)),
                _ => break,
            }
        }
        true
    }

    /// Handles one client message. False if the socket died.
    async fn handle(&mut self, text: &str) -> bool {
        if self.rate_started.elapsed() > RATE_WINDOW {
            self.rate_started = Instant::now();
            self.rate_count = 0;
        }
        self.rate_count += 1;
        if self.rate_count > RATE_MAX {
            return self
                .error("rate_limited", "too many messages; slow down")
                .await;
        }
        match parse_client_frame(text) {
            Err(e) => self.error(e.code, &e.message).await,
            Ok(ClientFrame::Chat { content, metadata }) => {
                // Stored before it is broadcast; our own copy arrives through the topic too,
                // so the sender sees the stored id and time.
                let posted =
                    post_and_reply(&self.state, &self.conversation, &content, &metadata, None)
                        .await;
                if posted.is_err() {
                    return self
                        .error("store_failed", "the message could not be saved; try again")
                        .await;
                }
                true
            }
            Ok(ClientFrame::Typing { is_typing }) => {
                let event = json!({"type": "typing", "user_id": self.session.user.id, "is_typing": is_typing});
                self.state
                    .events
                    .publish_from(
                        &conversation_topic(self.conversation.id),
                        &event,
                        Some(&self.id),
                    )
                    .await;
                true
            }
            Ok(ClientFrame::Ping) => self.send_json(&json!({"type": "pong"})).await,
        }
    }

    async fn forward(&mut self, payload: Payload) -> bool {
        if payload.origin.as_deref() == Some(self.id.as_str()) {
            return true;
        }
        self.send_frame(Frame::Text(Utf8Bytes::from(payload.json.as_ref())))
            .await
    }

    async fn send_json(&mut self, value: &Value) -> bool {
        self.send_frame(Frame::Text(Utf8Bytes::from(value.to_string())))
            .await
    }

    /// Sends one frame; a client that does not take it in time is dropped, so a slow
    /// reader can only ever hold up its own connection.
    async fn send_frame(&mut self, frame: Frame) -> bool {
        match tokio::time::timeout(SEND_TIMEOUT, self.socket.send(frame)).await {
            Ok(sent) => sent.is_ok(),
            Err(_) => {
                metrics::counter!("ws_slow_clients_dropped_total").increment(1);
                false
            }
        }
    }

    /// Reports a client mistake; the connection stays open.
    async fn error(&mut self, code: &str, message: &str) -> bool {
        self.send_json(&json!({"type": "error", "code": code, "message": message}))
            .await
    }
}

/// A client message, parsed and checked at the edge.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientFrame {
    /// `content` is trimmed and within the message limit; `metadata` is an object.
    Chat {
        content: String,
        metadata: Value,
    },
    Typing {
        is_typing: bool,
    },
    Ping,
}

/// Why a client frame was refused: the `code` and `message` of the `error` event sent back
/// (the connection stays open).
#[derive(Debug, Clone, PartialEq)]
pub struct FrameError {
    pub code: &'static str,
    pub message: String,
}

fn frame_error(code: &'static str, message: impl Into<String>) -> FrameError {
    FrameError {
        code,
        message: message.into(),
    }
}

/// Parses one text frame from a client (any text: it comes off the network).
pub fn parse_client_frame(text: &str) -> Result<ClientFrame, FrameError> {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return Err(frame_error("invalid_json", "the message is not valid JSON"));
    };
    match value.get("type").and_then(Value::as_str) {
        Some("chat") => {
            let Some(content) = value.get("content").and_then(Value::as_str) else {
                return Err(frame_error(
                    "missing_field",
                    "chat needs a string `content`",
                ));
            };
            let content = validate_message(content)
                .map_err(|e| frame_error("invalid_message", e.message))?
                .to_string();
            let metadata = match value.get("metadata") {
                None | Some(Value::Null) => json!({}),
                Some(m @ Value::Object(_)) => m.clone(),
                Some(_) => {
                    return Err(frame_error("invalid_message", "metadata must be an object"))
                }
            };
            Ok(ClientFrame::Chat { content, metadata })
        }
        Some("typing") => match value.get("is_typing").and_then(Value::as_bool) {
            Some(is_typing) => Ok(ClientFrame::Typing { is_typing }),
            None => Err(frame_error(
                "missing_field",
                "typing needs a boolean `is_typing`",
            )),
        },
        Some("ping") => Ok(ClientFrame::Ping),
        Some(other) => {
            let other = other.chars().take(40).collect::<String>();
            Err(frame_error(
                "unknown_type",
                format!("unknown message type {other:?}"),
            ))
        }
        None => Err(frame_error("missing_field", "every message needs a `type`")),
    }
}

async fn reject(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket
        .send(Frame::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        })))
        .await;
}

fn seconds_until(unix: i64) -> Duration {
    let now = chrono::Utc::now().timestamp();
    Duration::from_secs(unix.saturating_sub(now).max(0) as u64)
}

/// For OpenAPI: the WebSocket endpoint is documented, though not callable from the docs page.
#[utoipa::path(get, path = "/api/v1/ws/chat/{conversation_id}", tag = "websocket",
    summary = "Live chat and progress of one conversation (WebSocket upgrade)",
    description = "A WebSocket handshake (RFC 6455), not a plain GET: send the four upgrade \
        headers below and read frames after `101 Switching Protocols`. Authenticate with \
        `?ticket=` (from POST /api/v1/ws/ticket; browsers cannot set headers here) or \
        `?token=`. The server's first frame is `{\"type\":\"connection\",\"status\":\"connected\",\
        \"conversation_id\"}`, then `message`, `typing`, `user_disconnected`, `generation` \
        (`{id,status,stage,progress,...}`) and `error` events; the client sends \
        `{\"type\":\"chat\",\"content\",\"metadata\"}`, `{\"type\":\"typing\",\"is_typing\"}` or \
        `{\"type\":\"ping\"}`. Bad credentials or someone else's conversation close the socket \
        with 1008, oversize frames with 1009, a server shutdown with 1001. The whole protocol: \
        README.md, section \"Live updates (WebSocket)\".",
    params(("conversation_id" = uuid::Uuid, Path),
           ("Connection" = String, Header, pattern = "^[Uu]pgrade$", description = "`Upgrade`"),
           ("Upgrade" = String, Header, pattern = "^websocket$", description = "`websocket`"),
           ("Sec-WebSocket-Version" = String, Header, pattern = "^13$", description = "`13`"),
           ("Sec-WebSocket-Key" = String, Header, pattern = "^[A-Za-z0-9+/]{21}[AQgw]==$",
            description = "16 random bytes, base64"),
           ("token" = Option<String>, Query, description = "access token (or use ticket)"),
           ("ticket" = Option<String>, Query, description = "one-time ticket from POST /api/v1/ws/ticket"),
           ("since" = Option<String>, Query, description = "last message id seen; missed messages are replayed")),
    responses((status = 101, description = "Switching Protocols: the connection is now a WebSocket \
                  speaking the protocol described above; credentials are checked on it (close 1008)"),
              (status = 400, description = "not a WebSocket handshake (an upgrade header is missing or wrong)",
               body = crate::routes::docs::ErrorBody)))]
#[allow(dead_code)]
pub fn ws_doc() -> StatusCode {
    StatusCode::SWITCHING_PROTOCOLS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_parse_into_messages_or_named_errors() {
        let chat = parse_client_frame(r#"{"type":"chat","content":"  hi  "}"#);
        assert_eq!(
            chat,
            Ok(ClientFrame::Chat {
                content: "hi".into(),
                metadata: json!({})
            })
        );
        assert_eq!(
            parse_client_frame(r#"{"type":"typing","is_typing":false}"#),
            Ok(ClientFrame::Typing { is_typing: false })
        );
        assert_eq!(
            parse_client_frame(r#"{"type":"ping"}"#),
            Ok(ClientFrame::Ping)
        );
        let refused = [
            ("", "invalid_json"),
            ("[1]", "missing_field"),
            (r#"{"type":7}"#, "missing_field"),
            (r#"{"type":"chat"}"#, "missing_field"),
            (r#"{"type":"chat","content":"   "}"#, "invalid_message"),
            (
                r#"{"type":"chat","content":"x","metadata":[]}"#,
                "invalid_message",
            ),
            (r#"{"type":"typing","is_typing":"yes"}"#, "missing_field"),
            (r#"{"type":"dance"}"#, "unknown_type"),
        ];
        for (text, code) in refused {
            assert_eq!(
                parse_client_frame(text).map_err(|e| e.code),
                Err(code),
                "{text}"
            );
        }
    }
}
